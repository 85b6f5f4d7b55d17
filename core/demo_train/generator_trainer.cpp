#include "core/demo_train/generator_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <memory>

#include "core/demo_train/attribute_regions.h"
#include "core/demo_train/latent_portraits.h"
#include "core/io/checkpoint_reader.h"
#include "core/io/checkpoint_writer.h"
#include "core/io/model_file_error.h"
#include "core/nets/common/weights.h"
#include "core/nets/stylegan2/generator.h"
#include "core/train/adam_state.h"
#include "core/train/seed_streams.h"

namespace deltaedit::demo_train {
namespace {

namespace fs = std::filesystem;
using train::Stream;

torch::Tensor batch_latents(const GeneratorTrainOptions& o, int64_t step) {
  auto gen = train::stream_generator(o.seed, Stream::kDemoGenerator, static_cast<uint64_t>(step));
  return torch::randn({o.batch, o.architecture.style_dim}, gen);
}

// The mean W of many codes, as rosinality's mean_latent computes it (with the EMA weights).
torch::Tensor mean_latent(nets::GeneratorImpl& g, const GeneratorTrainOptions& o) {
  torch::NoGradGuard no_grad;
  auto gen = train::stream_generator(o.seed, Stream::kDemoGenerator, ~uint64_t{1});
  return g.mapping(torch::randn({o.latent_avg_samples, o.architecture.style_dim}, gen)).mean(0);
}

void save_product(const fs::path& out, nets::GeneratorImpl& ema, const GeneratorTrainOptions& o) {
  io::save_checkpoint(
      out, {{"g_ema", nets::module_state_dict(ema)}, {"latent_avg", mean_latent(ema, o)}});
}

// w [B, D] -> [B, 3, size, size]: the first round(torgb_mix * B) samples with the toRGB
// layers reading the previous sample's W (a roll of the batch), the rest as usual.
torch::Tensor render_for_training(nets::GeneratorImpl& g, const torch::Tensor& w, double torgb_mix) {
  const torch::Tensor wplus = g.broadcast_w(w);  // [B, n_latent, D]
  const int64_t b = w.size(0), mixed = std::llround(torgb_mix * static_cast<double>(b));
  if (mixed == 0 || b < 2) return g.forward_w(wplus);
  const torch::Tensor rows = (torch::arange(b) < mixed).view({b, 1, 1});  // [B, 1, 1]
  return g.synthesize_s(g.w_to_s(wplus), torch::where(rows, wplus.roll(1, 0), wplus));
}

}  // namespace

double generator_rate_factor(const GeneratorTrainOptions& o, int64_t t) {
  const double start = o.decay_start * static_cast<double>(o.steps);
  const double span = static_cast<double>(o.steps) - start;
  if (static_cast<double>(t) < start || span <= 0) return 1.0;
  const double progress = std::min(1.0, (static_cast<double>(t) - start) / span);
  constexpr double kFinal = 0.05;
  return kFinal + (1.0 - kFinal) * 0.5 * (1.0 + std::cos(M_PI * progress));
}

nets::GeneratorConfig GeneratorTrainOptions::default_architecture() {
  nets::GeneratorConfig c;
  c.size = 64;
  c.style_dim = 128;
  c.n_mlp = 4;
  c.channels = {32, 32, 32, 32, 32};
  return c;
}

void train_demo_generator(const fs::path& out, const GeneratorTrainOptions& o,
                          const std::function<void(const GeneratorTrainEvent&)>& progress) {
  o.architecture.validate();
  const fs::path state_file = out.string() + ".state";

  // Deterministic initial weights (the modules draw from the global generator).
  torch::manual_seed(train::stream_seed(o.seed, Stream::kDemoGenerator, ~uint64_t{0}));
  nets::Generator g(o.architecture), ema(o.architecture);
  g->set_render_path(nets::RenderPath::kReference);
  ema->set_render_path(nets::RenderPath::kReference);
  load_weights(*ema, nets::module_state_dict(*g));
  for (auto& p : ema->parameters()) p.set_requires_grad(false);

  std::vector<torch::Tensor> mapping_params, synthesis_params;
  for (const auto& p : g->named_parameters())
    (p.key().starts_with("style.") ? mapping_params : synthesis_params).push_back(p.value());
  // The read-out of the attribute draws from W (a training aid, not part of the generator).
  torch::nn::Linear readout(o.architecture.style_dim, kLatentAttributeDraws);
  if (o.latent_code_weight > 0)
    for (const auto& p : readout->parameters()) synthesis_params.push_back(p);
  torch::optim::Adam adam({torch::optim::OptimizerParamGroup(synthesis_params),
                           torch::optim::OptimizerParamGroup(
                               mapping_params, std::make_unique<torch::optim::AdamOptions>(
                                                   o.learning_rate * o.mapping_lr_boost))},
                          torch::optim::AdamOptions(o.learning_rate).betas({0.9, 0.99}));

  int64_t step = 0;
  if (fs::exists(state_file)) {
    const io::PickleValue root = io::load_checkpoint(state_file);
    const io::PickleValue* s = root.find("step");
    if (!s || s->kind != io::PickleValue::Kind::Int)
      throw io::ModelFileError(state_file, "no 'step' in the training state");
    step = s->integer;
    load_weights(*g, io::state_dict_at(root, "g", state_file));
    load_weights(*ema, io::state_dict_at(root, "g_ema", state_file));
    if (o.latent_code_weight > 0)
      nets::load_weights(*readout, io::state_dict_at(root, "readout", state_file));
    const io::StateDict moments = io::state_dict_at(root, "adam", state_file);
    train::restore_adam_state(adam, *g, moments, step, "");
    if (o.latent_code_weight > 0) train::restore_adam_state(adam, *readout, moments, step, "readout.");
  } else if (!o.init.empty()) {
    const io::PickleValue root = io::load_checkpoint(o.init);
    load_weights(*g, io::state_dict_at(root, "g_ema", o.init));
    load_weights(*ema, io::state_dict_at(root, "g_ema", o.init));
  }
  // [1, 1, size, size]: all ones without attribute_weight.
  const torch::Tensor pixel_weights = attribute_loss_weights(
      static_cast<int>(o.architecture.size), RegionPose::kNeutral, o.attribute_weight);

  const auto save = [&] {
    io::StateDict moments;
    train::add_adam_state(moments, adam, *g, "");
    io::CheckpointEntries state = {{"step", step},
                                   {"g", nets::module_state_dict(*g)},
                                   {"g_ema", nets::module_state_dict(*ema)}};
    if (o.latent_code_weight > 0) {
      train::add_adam_state(moments, adam, *readout, "readout.");
      state.emplace_back("readout", nets::module_state_dict(*readout));
    }
    state.emplace_back("adam", moments);
    io::save_checkpoint(state_file, state);
    save_product(out, *ema, o);
  };

  // The next batch's portraits are rendered while this step trains.
  const auto targets_for = [&](int64_t t) {
    return std::async(std::launch::async, [&o, t] {
      torch::Tensor z = batch_latents(o, t);
      return std::make_pair(z, render_latents(z, static_cast<int>(o.architecture.size)));
    });
  };
  auto next = targets_for(step);
  const auto started = std::chrono::steady_clock::now();
  const int64_t first_step = step;
  double loss_sum = 0;
  int64_t loss_count = 0;
  while (step < o.steps) {
    auto [z, x] = next.get();
    if (step + 1 < o.steps) next = targets_for(step + 1);
    // z [B, D] -> W+ [B, n_latent, D] -> image [B, 3, size, size]
    const torch::Tensor w = g->mapping(z);                       // [B, D]
    const torch::Tensor image = render_for_training(*g, w, o.torgb_mix);  // [B, 3, size, size]
    const torch::Tensor diff = image - x;
    torch::Tensor loss = (diff.abs() * pixel_weights).mean() +
                         o.l2_weight * (diff.square() * pixel_weights).mean();
    if (o.latent_code_weight > 0)  // [B, D] -> [B, 8] against the draws of z
      loss = loss + o.latent_code_weight *
                        torch::mse_loss(readout(w), 2 * latent_attribute_draws(z) - 1);
    const double factor = generator_rate_factor(o, step);
    auto& groups = adam.param_groups();
    groups[0].options().set_lr(o.learning_rate * factor);
    groups[1].options().set_lr(o.learning_rate * o.mapping_lr_boost * factor);
    adam.zero_grad();
    loss.backward();
    adam.step();
    {
      torch::NoGradGuard no_grad;
      // Early on the average would mostly remember the random start: warm it up.
      const double t = static_cast<double>(step);
      const double decay = std::min(o.ema_decay, (1.0 + t) / (10.0 + t));
      auto src = g->parameters();
      auto dst = ema->parameters();
      for (size_t i = 0; i < src.size(); ++i) dst[i].mul_(decay).add_(src[i], 1.0 - decay);
    }
    ++step;
    loss_sum += loss.item<double>();
    ++loss_count;
    const bool saving = step % o.save_every == 0 || step == o.steps;
    if (saving) save();
    if (saving || step % 25 == 0) {
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      progress({step, o.steps, loss_sum / static_cast<double>(loss_count),
                static_cast<double>(step - first_step) / std::max(seconds, 1e-9), saving});
      loss_sum = 0;
      loss_count = 0;
    }
  }
  if (step == first_step && !fs::exists(out)) save();  // nothing to train: still write the file
}

}  // namespace deltaedit::demo_train
