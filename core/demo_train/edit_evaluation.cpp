#include "core/demo_train/edit_evaluation.h"

#include <cmath>
#include <limits>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/demo_train/predictor_training.h"

namespace deltaedit::demo_train {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool is_hair_colour(const std::string& name) { return name.rfind("hair_", 0) == 0 && name != "hair_length"; }

// Engine render [1, 3, r, r] in [-1, 1] -> [1, 3, r, r] in [0, 1], rounded to 8 bits as the
// editor saves it.
torch::Tensor as_saved(const torch::Tensor& render) {
  return ((render.to(torch::kFloat32) + 1.0) * 127.5).round().clamp(0, 255) / 255.0;
}

std::string fixed(double v, int digits) {
  if (std::isnan(v)) return "-";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  std::ostringstream s;
  s.precision(digits);
  s << std::fixed << v;
  return s.str();
}

std::string percent(double v) { return fixed(100.0 * v, 0) + " %"; }

nlohmann::json number(double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); }

}  // namespace

std::vector<EditPromptSpec> default_edit_prompts() {
  return {{"face with a smile", "smile", +1},       {"face with blond hair", "hair_blond", +1},
          {"face with glasses", "glasses", +1},     {"face with a beard", "beard", +1},
          {"face with long hair", "hair_length", +1}, {"face with dark skin", "skin_tone", +1},
          {"face with big eyes", "eye_size", +1}};
}

const std::vector<std::string>& side_effect_attributes() {
  static const std::vector<std::string> names = {"smile",   "hair_length", "skin_tone", "eye_size",
                                                 "glasses", "beard",       "hair_blond"};
  return names;
}

double Reversal::measure() const {
  if (!by_presence) return all;
  if (holders == 0) return 0.0;  // nothing to take away: the reverse edit is unmeasured
  return std::min(from_holders, 1.0 - (std::isnan(added_to_others) ? 0.0 : added_to_others));
}

Reversal measure_reversal(bool by_presence, int direction, const torch::Tensor& recon_value,
                          const torch::Tensor& plus_value, const torch::Tensor& minus_value,
                          const torch::Tensor& minus_signal_change) {
  const double dir = direction >= 0 ? 1.0 : -1.0;
  Reversal r;
  r.by_presence = by_presence;
  const auto back = minus_signal_change * dir < 0;  // [N] bool
  r.all = back.to(torch::kDouble).mean().item<double>();
  if (!by_presence) return r;
  // Whether an image is what +alpha aims at: has the attribute (direction +) or lacks it (-).
  const auto in_target = [&](const torch::Tensor& value) { return dir > 0 ? value > 0.5 : value <= 0.5; };
  const auto holders = in_target(recon_value), others = holders.logical_not();  // [N] bool
  const auto share = [](const torch::Tensor& hit, const torch::Tensor& among) {
    const auto n = among.sum().item<int64_t>();
    return n == 0 ? kNaN : (hit & among).sum().item<double>() / static_cast<double>(n);
  };
  r.holders = holders.sum().item<int64_t>();
  r.from_holders = share(back, holders);
  r.taken_from_holders = share(in_target(minus_value).logical_not(), holders);
  r.added_to_others = share(in_target(minus_value), others);
  r.added_plus = share(in_target(plus_value), others);
  return r;
}

int EditEvaluation::passing() const {
  int n = 0;
  for (const auto& p : prompts) n += p.passes ? 1 : 0;
  return n;
}

double psnr(const torch::Tensor& a, const torch::Tensor& b) {
  if (!a.sizes().equals(b.sizes())) throw std::invalid_argument("psnr: images of different shapes");
  const double mse = (a.to(torch::kDouble) - b.to(torch::kDouble)).pow(2).mean().item<double>();
  return mse == 0 ? std::numeric_limits<double>::infinity() : 10.0 * std::log10(1.0 / mse);
}

EditEvaluation evaluate_edits(engine::EditEngine& engine, const AttributePredictor& predictor,
                              const EditEvaluationOptions& o,
                              const std::function<void(int64_t, int64_t)>& progress) {
  std::vector<int64_t> named;
  for (const auto& p : o.prompts) named.push_back(score_index(p.attribute));
  std::vector<int64_t> side;
  for (const auto& a : side_effect_attributes()) side.push_back(score_index(a));
  const auto data = load_demo_images(o.data_dir, o.split, o.count);
  if (data.size() == 0)
    throw demo::DatasetError(o.data_dir, "has no " + std::string(demo::split_folder(o.split)) + " images");
  const int64_t n = data.size(), variants = 2 + 2 * static_cast<int64_t>(o.prompts.size());

  EditEvaluation e;
  e.split = o.split;
  e.images = n;
  e.alpha = o.alpha;
  e.threshold = o.threshold;
  // Per image: the original, the reconstruction, then +alpha and -alpha for each prompt.
  std::vector<torch::Tensor> values, signals;  // each [variants, K]
  std::vector<double> psnrs;
  const auto prompt_count = static_cast<int64_t>(o.prompts.size());
  torch::Tensor cosine_sum = torch::zeros({prompt_count, prompt_count}, torch::kDouble);
  for (int64_t i = 0; i < n; ++i) {
    auto session = engine.open_photo(data.files[static_cast<size_t>(i)], engine::OpenOptions{.aligned = true});
    const auto original = to_predictor_input(data.images[i]);                            // [1, 3, 64, 64]
    const auto recon = to_predictor_input(as_saved(engine.render_tensor(session, session.base_s)));
    psnrs.push_back(psnr(recon, original));
    std::vector<torch::Tensor> batch = {original, recon};
    std::vector<torch::Tensor> directions;  // [S] unit vectors (zero when the mask keeps nothing)
    for (const auto& p : o.prompts) {
      const auto d = engine.delta_s(session, session.base_s, engine::EditStep{o.source, p.target, 1.0, o.threshold})
                         .to(torch::kCPU, torch::kDouble).flatten();
      directions.push_back(d / d.norm().clamp_min(1e-30));
    }
    const auto unit_rows = torch::stack(directions);  // [P, S]
    cosine_sum += unit_rows.matmul(unit_rows.t());     // [P, P]
    for (const auto& p : o.prompts)
      for (const double alpha : {o.alpha, -o.alpha}) {
        session.edits = {engine::EditStep{o.source, p.target, alpha, o.threshold}};
        batch.push_back(to_predictor_input(as_saved(engine.render_tensor(session, engine.edited_s(session)))));
      }
    // One image per call: in a batch, BLAS and oneDNN round rows differently by position, so
    // identical renders (an edit at strength 0 and the reconstruction) scored ~1e-6 apart.
    std::vector<torch::Tensor> image_values, image_signals;
    for (const auto& image : batch) {
      const auto scores = predictor.scores(image);  // [1, K]
      image_values.push_back(scores.values);
      image_signals.push_back(scores.signals);
    }
    values.push_back(torch::cat(image_values, 0));  // [variants, K]
    signals.push_back(torch::cat(image_signals, 0));
    if (progress) progress(i + 1, n);
  }
  const auto v = torch::stack(values, 0).to(torch::kDouble);  // [N, variants, K]
  const auto s = torch::stack(signals, 0).to(torch::kDouble);
  TORCH_CHECK(v.size(1) == variants);

  double sum = 0;
  e.psnr_min = std::numeric_limits<double>::infinity();
  e.psnr_max = -e.psnr_min;
  for (double p : psnrs) {
    sum += p;
    e.psnr_min = std::min(e.psnr_min, p);
    e.psnr_max = std::max(e.psnr_max, p);
  }
  e.psnr_mean = sum / static_cast<double>(n);
  e.direction_cosines = cosine_sum / static_cast<double>(n);
  const auto std_dev = torch::std(v.select(1, 0), {0}, /*unbiased=*/n > 1, /*keepdim=*/false).clamp_min(1e-6);  // [K]
  for (int64_t k = 0; k < std_dev.size(0); ++k) e.held_out_std.push_back(std_dev[k].item<double>());

  for (const int64_t k : side) {
    const auto a = v.select(1, 0).select(1, k), b = v.select(1, 1).select(1, k);  // [N]
    // Undefined (not 0) where a reading does not vary over the images.
    const bool constant = a.min().equal(a.max()) || b.min().equal(b.max());
    e.reconstruction_kept.push_back(constant ? kNaN : correlation(a, b));
  }
  const auto hair_cols = torch::arange(6, 6 + demo::kHairColourCount);
  const auto background_cols = torch::arange(6 + demo::kHairColourCount, v.size(2));
  const auto recon_v = v.select(1, 1), recon_s = s.select(1, 1);  // [N, K]
  const auto class_changed = [&](const torch::Tensor& edit, const torch::Tensor& cols) {
    return (edit.index_select(1, cols).argmax(1) != recon_v.index_select(1, cols).argmax(1))
        .to(torch::kDouble).mean().item<double>();
  };
  for (size_t p = 0; p < o.prompts.size(); ++p) {
    PromptEvaluation r;
    r.spec = o.prompts[p];
    const int64_t k = named[p];
    const double dir = r.spec.direction >= 0 ? 1.0 : -1.0;
    const int64_t plus_row = 2 + 2 * static_cast<int64_t>(p), minus_row = plus_row + 1;
    const auto plus_v = v.select(1, plus_row), minus_v = v.select(1, minus_row);  // [N, K]
    const auto d_plus_s = (s.select(1, plus_row) - recon_s).select(1, k) * dir;
    r.right_way_plus = (d_plus_s > 0).to(torch::kDouble).mean().item<double>();
    const auto minus_change = (s.select(1, minus_row) - recon_s).select(1, k);  // [N]
    r.reversal = measure_reversal(is_presence_score(k), r.spec.direction, recon_v.select(1, k),
                                  plus_v.select(1, k), minus_v.select(1, k), minus_change);
    const auto d_plus = plus_v - recon_v;  // [N, K]
    r.mean_change_plus = (d_plus.select(1, k) * dir).mean().item<double>();
    r.mean_change_minus = ((minus_v - recon_v).select(1, k) * dir).mean().item<double>();
    r.named_effect = std::abs(r.mean_change_plus) / e.held_out_std[static_cast<size_t>(k)];
    r.worst_other_ratio = kNaN;
    for (size_t j = 0; j < side.size(); ++j) {
      const auto& other = side_effect_attributes()[j];
      const bool related = side[j] == k || (is_hair_colour(other) && is_hair_colour(r.spec.attribute));
      const double effect = d_plus.select(1, side[j]).abs().mean().item<double>() /
                            e.held_out_std[static_cast<size_t>(side[j])];
      r.other_effects.push_back(related ? kNaN : effect);
      if (related) continue;
      const double ratio = effect / std::max(r.named_effect, 1e-12);
      if (std::isnan(r.worst_other_ratio) || ratio > r.worst_other_ratio) {
        r.worst_other_ratio = ratio;
        r.worst_other = other;
      }
    }
    r.hair_class_changed = class_changed(plus_v, hair_cols);
    r.background_class_changed = class_changed(plus_v, background_cols);
    r.passes = r.right_way_plus >= o.min_right_way && r.reversal.measure() >= o.min_right_way &&
               !(r.worst_other_ratio > o.max_other_ratio);
    e.prompts.push_back(std::move(r));
  }
  return e;
}

nlohmann::json to_json(const EditEvaluation& e) {
  nlohmann::json j;
  j["images"] = e.images;
  j["split"] = std::string(demo::split_folder(e.split));
  j["alpha"] = e.alpha;
  j["threshold"] = e.threshold;
  j["reconstruction_psnr_db"] = {{"mean", number(e.psnr_mean)}, {"min", number(e.psnr_min)}, {"max", number(e.psnr_max)}};
  nlohmann::json std_dev = nlohmann::json::object();
  for (size_t k = 0; k < e.held_out_std.size(); ++k) std_dev[score_names()[k]] = e.held_out_std[k];
  j["held_out_std"] = std_dev;
  nlohmann::json kept = nlohmann::json::object();
  for (size_t k = 0; k < e.reconstruction_kept.size(); ++k)
    kept[side_effect_attributes()[k]] = number(e.reconstruction_kept[k]);
  j["reconstruction_kept"] = kept;
  j["passing_prompts"] = e.passing();
  if (e.direction_cosines.defined()) {
    nlohmann::json rows = nlohmann::json::array();
    for (int64_t a = 0; a < e.direction_cosines.size(0); ++a) {
      std::vector<double> row;
      for (int64_t b = 0; b < e.direction_cosines.size(1); ++b) row.push_back(e.direction_cosines[a][b].item<double>());
      rows.push_back(row);
    }
    j["direction_cosines"] = rows;  // in the order of "prompts"
  }
  j["prompts"] = nlohmann::json::array();
  for (const auto& p : e.prompts) {
    nlohmann::json others = nlohmann::json::object();
    for (size_t k = 0; k < p.other_effects.size(); ++k) others[side_effect_attributes()[k]] = number(p.other_effects[k]);
    j["prompts"].push_back({{"target", p.spec.target},
                            {"attribute", p.spec.attribute},
                            {"direction", p.spec.direction},
                            {"right_way_plus", p.right_way_plus},
                            {"reverse_minus", p.reversal.all},
                            {"reversal", {{"by_presence", p.reversal.by_presence},
                                          {"measure", p.reversal.measure()},
                                          {"holders", p.reversal.holders},
                                          {"from_holders", number(p.reversal.from_holders)},
                                          {"taken_from_holders", number(p.reversal.taken_from_holders)},
                                          {"added_to_others", number(p.reversal.added_to_others)},
                                          {"added_plus", number(p.reversal.added_plus)}}},
                            {"mean_change_plus", number(p.mean_change_plus)},
                            {"mean_change_minus", number(p.mean_change_minus)},
                            {"named_effect_std", number(p.named_effect)},
                            {"other_effects_std", others},
                            {"hair_class_changed", p.hair_class_changed},
                            {"background_class_changed", p.background_class_changed},
                            {"worst_other", p.worst_other},
                            {"worst_other_ratio", number(p.worst_other_ratio)},
                            {"passes", p.passes}});
  }
  return j;
}

std::string to_markdown(const EditEvaluation& e) {
  std::ostringstream m;
  m << "Edits of " << e.images << (e.split == demo::Split::kHeldOut ? " held-out" : " training")
    << " portraits at alpha = +/-" << fixed(e.alpha, 2)
    << ", beta = " << fixed(e.threshold, 3) << "; reconstruction PSNR " << fixed(e.psnr_mean, 2)
    << " dB (min " << fixed(e.psnr_min, 2) << ", max " << fixed(e.psnr_max, 2) << "). "
    << e.passing() << " of " << e.prompts.size() << " prompts pass.\n\n";
  if (!e.reconstruction_kept.empty()) {
    m << "What the reconstruction keeps (correlation of the predictor's readings of originals and "
         "reconstructions):";
    for (size_t k = 0; k < e.reconstruction_kept.size(); ++k)
      m << (k ? ", " : " ") << side_effect_attributes()[k] << " " << fixed(e.reconstruction_kept[k], 2);
    m << ".\n\n";
  }
  m << "| prompt | attribute | right way at +alpha | reversed at -alpha | mean change +alpha | "
       "mean change -alpha | effect (std) | largest other (std) | ratio | pass |\n"
       "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const auto& p : e.prompts) {
    double worst = kNaN;
    for (size_t k = 0; k < p.other_effects.size(); ++k)
      if (side_effect_attributes()[k] == p.worst_other) worst = p.other_effects[k];
    m << "| " << p.spec.target << " | " << p.spec.attribute << (p.spec.direction >= 0 ? " +" : " -") << " | "
      << percent(p.right_way_plus) << " | " << percent(p.reversal.measure()) << (p.reversal.by_presence ? " *" : "") << " | "
      << fixed(p.mean_change_plus, 3) << " | " << fixed(p.mean_change_minus, 3) << " | "
      << fixed(p.named_effect, 2) << " | " << (p.worst_other.empty() ? "-" : p.worst_other + " " + fixed(worst, 2))
      << " | " << fixed(p.worst_other_ratio, 2) << " | " << (p.passes ? "yes" : "no") << " |\n";
  }
  bool any_presence = false;
  for (const auto& p : e.prompts) any_presence = any_presence || p.reversal.by_presence;
  if (any_presence) {
    m << "\n\\* A yes/no attribute (glasses, a beard, a hair colour) can only be taken from the faces "
         "that have it: -alpha is measured on those (their reconstruction reads it, above 0.5), and on "
         "the others it must not add it; the figure is min(moved back on those with it, 1 - added to "
         "the others). Every face has some smile, so a regression's figure is over all images.\n\n"
         "| prompt | faces with it | moved back at -alpha | gone at -alpha | -alpha added it to "
         "the others | +alpha added it to the others | all images moved back at -alpha |\n"
         "|---|---|---|---|---|---|---|\n";
    for (const auto& p : e.prompts) {
      if (!p.reversal.by_presence) continue;
      const auto& r = p.reversal;
      m << "| " << p.spec.target << " | " << r.holders << " of " << e.images << " | " << percent(r.from_holders)
        << " | " << percent(r.taken_from_holders) << " | " << percent(r.added_to_others) << " | "
        << percent(r.added_plus) << " | " << percent(r.all) << " |\n";
    }
  }
  m << "\nMean |change| at +alpha of every attribute, in standard deviations of the "
       "predictor's scores (the named attribute in bold), and how often the predicted hair colour "
       "or background class changed:\n\n| prompt |";
  for (const auto& a : side_effect_attributes()) m << " " << a << " |";
  m << " hair colour changed | background changed |\n|---|";
  for (size_t k = 0; k < side_effect_attributes().size() + 2; ++k) m << "---|";
  m << "\n";
  for (const auto& p : e.prompts) {
    m << "| " << p.spec.target << " |";
    for (size_t k = 0; k < p.other_effects.size(); ++k) {
      const auto& a = side_effect_attributes()[k];
      if (a == p.spec.attribute)
        m << " **" << fixed(p.named_effect, 2) << "** |";
      else
        m << " " << fixed(p.other_effects[k], 2) << " |";
    }
    m << " " << percent(p.hair_class_changed) << " | " << percent(p.background_class_changed) << " |\n";
  }
  if (e.direction_cosines.defined()) {
    m << "\nCosine between the prompts' StyleSpace directions (delta S at strength 1, after the "
         "relevance mask), mean over the images:\n\n| prompt |";
    for (const auto& p : e.prompts) m << " " << p.spec.attribute << " |";
    m << "\n|---|";
    for (size_t k = 0; k < e.prompts.size(); ++k) m << "---|";
    m << "\n";
    for (size_t a = 0; a < e.prompts.size(); ++a) {
      m << "| " << e.prompts[a].spec.target << " |";
      for (size_t b = 0; b < e.prompts.size(); ++b)
        m << " " << fixed(e.direction_cosines[static_cast<int64_t>(a)][static_cast<int64_t>(b)].item<double>(), 2) << " |";
      m << "\n";
    }
  }
  return m.str();
}

}  // namespace deltaedit::demo_train
