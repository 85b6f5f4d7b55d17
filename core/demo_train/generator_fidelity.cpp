#include "core/demo_train/generator_fidelity.h"

#include <cstdio>
#include <stdexcept>
#include <tuple>
#include <utility>

#include "core/demo/face_attributes.h"
#include "core/demo_train/edit_evaluation.h"
#include "core/demo_train/latent_counterparts.h"
#include "core/demo_train/latent_portraits.h"
#include "core/demo_train/predictor_training.h"

namespace deltaedit::demo_train {
namespace {

torch::Tensor sample_latents(nets::LoadedGenerator& gen, int64_t count, uint64_t seed) {
  auto rng = at::make_generator<at::CPUGeneratorImpl>(seed);
  return torch::randn({count, gen.net->style_dim()}, rng);  // [N, D]
}

// z [N, D] -> draw(rows of z on the generator's device) for chunks of 64 rows (even, so pairs
// on rows 2i, 2i + 1 stay together), concatenated in [0, 1], CPU float32.
template <class Draw>
torch::Tensor render_in_chunks(nets::LoadedGenerator& gen, const torch::Tensor& z, const Draw& draw) {
  torch::NoGradGuard no_grad;
  const auto opts = gen.latent_avg.options();
  std::vector<torch::Tensor> parts;
  for (int64_t i = 0; i < z.size(0); i += 64) {
    const torch::Tensor x = draw(z.narrow(0, i, std::min<int64_t>(64, z.size(0) - i)).to(opts));
    parts.push_back(x.to(torch::kCPU, torch::kFloat32).add(1).div(2).clamp(0, 1));
  }
  return torch::cat(parts);
}

// z [N, D] -> G(z) [N, 3, S, S] in [0, 1], CPU float32.
torch::Tensor render(nets::LoadedGenerator& gen, const torch::Tensor& z) {
  return render_in_chunks(gen, z, [&](const torch::Tensor& zb) {
    return gen.net->forward_w(gen.net->broadcast_w(gen.net->mapping(zb)));
  });
}

// Pairs z [2n, D] (rows 2i, 2i + 1) -> [n, 3, S, S] in [0, 1]: the S of each pair's second
// latent drawn with the W of its first in the toRGB layers.
torch::Tensor render_s_of_second(nets::LoadedGenerator& gen, const torch::Tensor& z) {
  return render_in_chunks(gen, z, [&](const torch::Tensor& zb) {
    const torch::Tensor wplus = gen.net->broadcast_w(gen.net->mapping(zb));  // [b, L, D]
    const torch::Tensor s = gen.net->w_to_s(wplus);                          // [b, S]
    const int64_t b = zb.size(0);
    return gen.net->synthesize_s(s.slice(0, 1, b, 2), wplus.slice(0, 0, b, 2));  // [b/2, 3, S, S]
  });
}

// z [N, D] -> the renderer's portraits of the same latents (what the generator was trained to
// draw) [N, 3, S, S] in [0, 1].
torch::Tensor render_targets(nets::LoadedGenerator& gen, const torch::Tensor& z) {
  return render_latents(z, static_cast<int>(gen.net->size())).add(1).div(2);
}

// [2 x pairs_per_family x F, D]: the counterpart pairs of `seed`'s latents, pair i in family i mod F.
torch::Tensor counterpart_latents(nets::LoadedGenerator& gen, int64_t pairs_per_family, uint64_t seed) {
  return latent_counterpart_pairs(sample_latents(gen, pairs_per_family * kAttributeFamilies, seed), 0, seed);
}

}  // namespace

torch::Tensor generator_samples(nets::LoadedGenerator& gen, int64_t count, uint64_t seed) {
  if (count < 1) throw std::invalid_argument("generator_samples: count must be positive");
  return render(gen, sample_latents(gen, count, seed));
}

torch::Tensor generator_targets(nets::LoadedGenerator& gen, int64_t count, uint64_t seed) {
  if (count < 1) throw std::invalid_argument("generator_targets: count must be positive");
  return render_targets(gen, sample_latents(gen, count, seed));
}

GeneratorFidelity measure_generator_fidelity(nets::LoadedGenerator& gen,
                                             const AttributePredictor& predictor, int64_t count,
                                             uint64_t seed) {
  if (count < 2) throw std::invalid_argument("measure_generator_fidelity: count must be >= 2");
  const torch::Tensor z = sample_latents(gen, count, seed).contiguous();
  const AttributePrediction p = predictor.predict(render(gen, z));
  const AttributePrediction t = predictor.predict(render_targets(gen, z));

  // What each z decides.
  torch::Tensor decided = torch::empty({count, 4});  // smile, hair_length, skin_tone, eye_size
  torch::Tensor glasses = torch::empty({count}, torch::kBool), beard = torch::empty({count}, torch::kBool);
  torch::Tensor hair = torch::empty({count}, torch::kInt64), background = torch::empty({count}, torch::kInt64);
  auto d = decided.accessor<float, 2>();
  auto g = glasses.accessor<bool, 1>();
  auto b = beard.accessor<bool, 1>();
  auto h = hair.accessor<int64_t, 1>();
  auto bg = background.accessor<int64_t, 1>();
  for (int64_t i = 0; i < count; ++i) {
    const demo::FaceAttributes a = attributes_from_latent(z[i].data_ptr<float>(), z.size(1));
    d[i][0] = a.smile;
    d[i][1] = a.hair_length;
    d[i][2] = a.skin_tone;
    d[i][3] = a.eye_size;
    g[i] = a.eyeglasses;
    b[i] = a.beard;
    h[i] = static_cast<int64_t>(a.hair_colour);
    bg[i] = static_cast<int64_t>(a.background);
  }

  GeneratorFidelity f;
  f.samples = count;
  const char* regressions[] = {"smile", "hair_length", "skin_tone", "eye_size"};
  for (int k = 0; k < 4; ++k) {
    const torch::Tensor truth = decided.select(1, k);
    AttributeFidelity a{regressions[k], correlation(p.regression.select(1, k), truth), "correlation"};
    a.target_agreement = correlation(t.regression.select(1, k), truth);
    f.attributes.push_back(a);
  }
  // (accuracy, recall) of logits > 0 against `truth`
  const auto binary_scores = [](const torch::Tensor& logit, const torch::Tensor& truth) {
    const torch::Tensor seen = logit > 0;
    const int64_t positives = truth.sum().item<int64_t>();
    return std::pair{seen.eq(truth).to(torch::kFloat64).mean().item<double>(),
                     positives > 0 ? (seen & truth).sum().item<double>() / static_cast<double>(positives)
                                   : 0.0};
  };
  const auto binary = [&](const char* name, const torch::Tensor& logit, const torch::Tensor& target_logit,
                          const torch::Tensor& truth) {
    AttributeFidelity a{name, 0, "accuracy"};
    std::tie(a.agreement, a.recall) = binary_scores(logit, truth);
    std::tie(a.target_agreement, a.target_recall) = binary_scores(target_logit, truth);
    f.attributes.push_back(a);
  };
  binary("glasses", p.glasses_logit, t.glasses_logit, glasses);
  binary("beard", p.beard_logit, t.beard_logit, beard);
  const auto accuracy = [](const torch::Tensor& logits, const torch::Tensor& truth) {
    return logits.argmax(1).eq(truth).to(torch::kFloat64).mean().item<double>();
  };
  const auto classes = [&](const char* name, const torch::Tensor& logits,
                           const torch::Tensor& target_logits, const torch::Tensor& truth) {
    AttributeFidelity a{name, accuracy(logits, truth), "accuracy"};
    a.target_agreement = accuracy(target_logits, truth);
    f.attributes.push_back(a);
  };
  classes("hair_colour", p.hair_logits, t.hair_logits, hair);
  classes("background", p.background_logits, t.background_logits, background);
  return f;
}

std::string to_markdown(const GeneratorFidelity& f) {
  std::string s = "Attributes of " + std::to_string(f.samples) +
                  " generator samples read by the attribute predictor, against what each latent "
                  "decides (targets: the renderer's own portraits of the same latents):\n\n"
                  "| attribute | measure | generator | targets | recall: generator | targets |\n"
                  "| --- | --- | --- | --- | --- | --- |\n";
  for (const AttributeFidelity& a : f.attributes) {
    char line[200];
    const bool binary = a.attribute == "glasses" || a.attribute == "beard";
    std::snprintf(line, sizeof line, "| %s | %s | %.3f | %.3f | ", a.attribute.c_str(),
                  a.measure.c_str(), a.agreement, a.target_agreement);
    s += line;
    if (binary) {
      std::snprintf(line, sizeof line, "%.3f | %.3f |\n", a.recall, a.target_recall);
      s += line;
    } else {
      s += "| |\n";
    }
  }
  return s;
}

CounterpartEffects measure_counterpart_effects(nets::LoadedGenerator& gen,
                                               const AttributePredictor& predictor,
                                               int64_t pairs_per_family, uint64_t seed) {
  if (pairs_per_family < 2) throw std::invalid_argument("measure_counterpart_effects: need >= 2 pairs per family");
  const int64_t n = pairs_per_family * kAttributeFamilies;
  const torch::Tensor z = counterpart_latents(gen, pairs_per_family, seed);  // [2n, D]
  std::vector<int64_t> columns;
  for (const auto& name : side_effect_attributes()) columns.push_back(score_index(name));
  const torch::Tensor cols = torch::tensor(columns);
  // [2n, 3, S, S] in [0, 1] -> [n, 2, K] scores of the pairs
  const auto scores = [&](const torch::Tensor& images) {
    return predictor.scores(images).values.index_select(1, cols).to(torch::kFloat64).view({n, 2, -1});
  };
  const torch::Tensor images = render(gen, z);  // [2n, 3, S, S]
  const torch::Tensor gs = scores(images);
  const torch::Tensor ts = scores(render_targets(gen, z));
  // One unit for both: the spread of the renderer's portraits, as `demo evaluate` uses the
  // spread of the held-out portraits (a generator that barely draws the mouth has a small one).
  const torch::Tensor spread = ts.select(1, 0).std(0).clamp_min(1e-6);  // [K]
  const auto effects = [&](const torch::Tensor& v) { return (v.select(1, 1) - v.select(1, 0)).abs() / spread; };
  const torch::Tensor g = effects(gs), t = effects(ts);
  CounterpartEffects e;
  e.pairs = pairs_per_family;
  e.families = {"smile", "hair colour", "hair length", "glasses", "beard", "skin", "eyes"};
  // Pair i changes family i mod F: [n, K] -> [pairs, F, K] -> mean over the pairs.
  const auto per_family = [&](const torch::Tensor& d) {
    return d.view({pairs_per_family, kAttributeFamilies, -1}).mean(0);
  };
  e.generator = per_family(g);
  e.targets = per_family(t);
  // [n] mean |pixel difference| per pair -> [F] ratio of the sums over each family's pairs
  const torch::Tensor second = images.slice(0, 1, 2 * n, 2).to(torch::kFloat64);
  const auto per_pair = [](const torch::Tensor& d) { return d.abs().flatten(1).mean(1); };
  const torch::Tensor missing = per_pair(second - render_s_of_second(gen, z).to(torch::kFloat64));
  const torch::Tensor whole = per_pair(second - images.slice(0, 0, 2 * n, 2).to(torch::kFloat64));
  const auto family_sum = [&](const torch::Tensor& v) { return v.view({pairs_per_family, kAttributeFamilies}).sum(0); };
  e.torgb_share = family_sum(missing) / family_sum(whole).clamp_min(1e-12);
  return e;
}

std::string to_markdown(const CounterpartEffects& e) {
  std::string s = "Mean |change| of each score when the latent changes one attribute family (" +
                  std::to_string(e.pairs) +
                  " pairs each), in standard deviations of the renderer's portraits; generator "
                  "(renderer). Last column: the share of the pair's pixel change that the toRGB "
                  "layers draw, out of reach of an edit of S:\n\n| family |";
  for (const auto& a : side_effect_attributes()) s += " " + a + " |";
  s += " drawn by toRGB |\n|---|";
  for (size_t k = 0; k <= side_effect_attributes().size(); ++k) s += "---|";
  s += "\n";
  for (size_t f = 0; f < e.families.size(); ++f) {
    s += "| " + e.families[f] + " |";
    for (size_t k = 0; k < side_effect_attributes().size(); ++k) {
      char cell[64];
      std::snprintf(cell, sizeof cell, " %.2f (%.2f) |", e.generator[static_cast<int64_t>(f)][static_cast<int64_t>(k)].item<double>(),
                    e.targets[static_cast<int64_t>(f)][static_cast<int64_t>(k)].item<double>());
      s += cell;
    }
    char share[32];
    std::snprintf(share, sizeof share, " %.0f %% |\n", 100.0 * e.torgb_share[static_cast<int64_t>(f)].item<double>());
    s += share;
  }
  return s;
}

std::pair<torch::Tensor, torch::Tensor> counterpart_samples(nets::LoadedGenerator& gen,
                                                            int64_t pairs_per_family, uint64_t seed) {
  if (pairs_per_family < 1) throw std::invalid_argument("counterpart_samples: need >= 1 pair per family");
  const int64_t size = gen.net->size();
  const torch::Tensor z = counterpart_latents(gen, pairs_per_family, seed);  // [2n, D]
  // [2n, 3, S, S] -> [pairs, F, 2, 3, S, S] (pair i is family i mod F) -> [F, pairs, 2, 3, S, S]
  const auto by_family = [&](const torch::Tensor& x) {
    return x.view({pairs_per_family, kAttributeFamilies, 2, 3, size, size}).transpose(0, 1).contiguous();
  };
  return {by_family(render(gen, z)), by_family(render_targets(gen, z))};
}

}  // namespace deltaedit::demo_train
