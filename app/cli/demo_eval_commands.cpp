// `demo train-predictor` (the attribute predictor, independent of CLIP) and `demo evaluate`
// (the bundle's text edits measured with it, plus the encoder's reconstruction PSNR).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <optional>

#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/engine_setup.h"
#include "app/cli/exit_codes.h"
#include "app/cli/image_sheet.h"
#include "app/cli/progress_line.h"
#include "core/demo_train/attribute_counterparts.h"
#include "core/demo_train/edit_evaluation.h"
#include "core/demo_train/generator_fidelity.h"
#include "core/demo_train/predictor_training.h"
#include "core/demo_train/threshold_calibration.h"
#include "core/io/model_file_error.h"
#include "core/train/train_files.h"

namespace deltaedit::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

fs::path required_path(const ParsedArgs& args, const std::string& name, const std::string& command) {
  const auto v = args.value(name);
  if (!v || v->empty()) throw UsageError(command + ": give --" + name);
  return *v;
}

// Redrawn on a terminal at most five times a second, else one line per tenth.
class Ticker {
 public:
  Ticker(bool quiet, std::string what) : line_(quiet), quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0), what_(std::move(what)) {}
  void tick(int64_t done, int64_t total, const std::string& text) {
    if (quiet_ || total <= 0) return;
    const auto now = Clock::now();
    const double f = static_cast<double>(done) / static_cast<double>(total);
    if (tty_) {
      if (done < total && now - last_ < std::chrono::milliseconds(200)) return;
      last_ = now;
      line_.update(what_, text, f);
    } else if (static_cast<int>(f * 10) > decile_ || done == total) {
      decile_ = static_cast<int>(f * 10);
      line_.done(what_ + "  " + text);
    }
  }
  void done(const std::string& message) { line_.done(message); }
  void fail(const std::string& message) { line_.fail(message); }
  double seconds() const { return std::chrono::duration<double>(Clock::now() - t0_).count(); }

 private:
  ProgressLine line_;
  bool quiet_, tty_;
  std::string what_;
  Clock::time_point t0_ = Clock::now(), last_{};
  int decile_ = -1;
};

}  // namespace

int run_demo_train_predictor(const ParsedArgs& args) {
  if (args.words.size() != 2) throw UsageError("demo train-predictor takes no positional arguments");
  demo_train::PredictorTrainingOptions o;
  o.data_dir = required_path(args, "data", "demo train-predictor");
  o.out = required_path(args, "out", "demo train-predictor");
  o.steps = integer_option(args, "steps", o.steps, 1);
  o.batch = integer_option(args, "batch", o.batch, 2);
  o.seed = seed_option(args);
  o.learning_rate = args.number("lr", o.learning_rate);
  if (!(o.learning_rate > 0)) throw UsageError("--lr must be > 0");
  use_all_cores();
  Ticker ticker(args.flag("quiet"), "train-predictor");
  int64_t first = -1;
  auto started = Clock::now();
  try {
    const auto r = demo_train::train_attribute_predictor(o, [&](int64_t step, int64_t steps, double loss) {
      if (first < 0) {
        first = step - 1;
        started = Clock::now();
      }
      const double s = std::chrono::duration<double>(Clock::now() - started).count();
      char text[128];
      std::snprintf(text, sizeof(text), "%lld/%lld steps  loss %.4f  %.2f steps/s", static_cast<long long>(step),
                    static_cast<long long>(steps), loss, s > 0 ? static_cast<double>(step - first) / s : 0.0);
      ticker.tick(step, steps, text);
    });
    char text[256];
    std::snprintf(text, sizeof(text), "%s: %s (%.1f s)", o.out.string().c_str(),
                  r.kept ? "exists, kept" : r.first_step > 0 ? "resumed and finished" : "trained", r.seconds);
    ticker.done(text);
    if (!r.held_out.empty())
      std::cout << "held-out (" << r.held_out_count << " images): " << demo_train::format_metrics(r.held_out) << "\n";
  } catch (const demo::DatasetError& e) {
    ticker.fail(std::string("deltaedit: ") + e.what());
    return kInputProblem;
  }
  return kOk;
}

namespace {

// The report and its JSON (same name, .json) appear complete or not at all.
void write_report(const fs::path& out, const std::string& markdown, const nlohmann::json& j) {
  train::write_text_atomically(out, markdown);
  train::write_text_atomically(fs::path(out).replace_extension(".json"), j.dump(2) + "\n");
}

// Writes the report where --out says (if it does); the command's exit code.
int publish(const std::optional<fs::path>& out, const std::string& markdown, const nlohmann::json& j) {
  try {
    if (out) write_report(*out, markdown, j);
  } catch (const std::exception& x) {
    std::cerr << "deltaedit: " << x.what() << "\n";
    return kOutputProblem;
  }
  return kOk;
}

// What `demo evaluate` and `demo calibrate` share: options, the engine, the predictor, a ticker.
struct EvaluationSetup {
  demo_train::EditEvaluationOptions options;
  std::optional<fs::path> out;
  std::unique_ptr<engine::EditEngine> engine;
  std::optional<demo_train::AttributePredictor> predictor;
};

// Returns false (after saying why) when --out exists without --overwrite.
bool set_up_evaluation(const ParsedArgs& args, const std::string& command, EvaluationSetup& s) {
  if (args.words.size() != 2) throw UsageError(command + " takes no positional arguments");
  auto& o = s.options;
  o.data_dir = required_path(args, "data", command);
  const fs::path predictor_file = required_path(args, "predictor", command);
  o.count = integer_option(args, "count", o.count, 1);
  o.alpha = args.number("strength", o.alpha);
  if (const auto out = args.value("out")) s.out = *out;
  if (s.out && fs::exists(*s.out) && !args.flag("overwrite")) {
    std::cerr << "deltaedit: " << s.out->string() << " exists (use --overwrite)\n";
    return false;
  }
  use_all_cores();
  s.engine = load_engine(args);
  o.threshold = args.number("threshold", s.engine->default_threshold());
  s.predictor.emplace(demo_train::load_attribute_predictor(predictor_file));
  return true;
}

std::function<void(int64_t, int64_t)> image_progress(Ticker& ticker) {
  return [&ticker](int64_t done, int64_t total) {
    char text[96];
    std::snprintf(text, sizeof(text), "%lld/%lld images  %.2f images/s", static_cast<long long>(done),
                  static_cast<long long>(total), static_cast<double>(done) / std::max(1e-9, ticker.seconds()));
    ticker.tick(done, total, text);
  };
}

}  // namespace

int run_demo_evaluate(const ParsedArgs& args) {
  EvaluationSetup s;
  if (!set_up_evaluation(args, "demo evaluate", s)) return kOutputProblem;
  Ticker ticker(args.flag("quiet"), "evaluate");
  demo_train::EditEvaluation e;
  try {
    e = demo_train::evaluate_edits(*s.engine, *s.predictor, s.options, image_progress(ticker));
  } catch (const demo::DatasetError& x) {
    ticker.fail(std::string("deltaedit: ") + x.what());
    return kInputProblem;
  }
  const std::string markdown = demo_train::to_markdown(e);
  std::cout << markdown;
  return publish(s.out, markdown, demo_train::to_json(e));
}

int run_demo_calibrate(const ParsedArgs& args) {
  EvaluationSetup s;
  if (!set_up_evaluation(args, "demo calibrate", s)) return kOutputProblem;
  s.options.split = demo::Split::kTrain;  // settings are chosen on training portraits
  Ticker ticker(args.flag("quiet"), "calibrate");
  demo_train::ThresholdCalibration c;
  try {
    c = demo_train::calibrate_threshold(*s.engine, *s.predictor, s.options,
                                        demo_train::default_threshold_grid(), image_progress(ticker));
  } catch (const demo::DatasetError& x) {
    ticker.fail(std::string("deltaedit: ") + x.what());
    return kInputProblem;
  }
  const std::string markdown = demo_train::to_markdown(c);
  std::cout << markdown << "recommended threshold: " << c.best_threshold << "\n";
  return publish(s.out, markdown, demo_train::to_json(c));
}

// Whether the generator draws what its latents decide, read by the predictor, and what its own
// one-attribute changes do to the other readings; --grid writes 32 latents as a contact sheet,
// each row of the renderer's portraits above the generator's; --pairs-grid two counterpart pairs
// per family, the renderer's and the generator's.
int run_demo_check_generator(const ParsedArgs& args) {
  if (args.words.size() != 2) throw UsageError("demo check-generator takes no positional arguments");
  const fs::path gen_file = required_path(args, "generator", "demo check-generator");
  const fs::path predictor_file = required_path(args, "predictor", "demo check-generator");
  const int64_t count = integer_option(args, "count", 512, 2);
  if (count > 100000) throw UsageError("--count must be at most 100000");
  const uint64_t seed = seed_option(args);
  const auto grid = args.value("grid"), pairs_grid = args.value("pairs-grid");
  for (const auto& sheet : {grid, pairs_grid})
    if (sheet && fs::exists(*sheet) && !args.flag("overwrite")) {
      std::cerr << "deltaedit: " << *sheet << " exists (use --overwrite)\n";
      return kOutputProblem;
    }
  use_all_cores();
  try {
    auto gen = nets::load_generator(gen_file, nets::choose_device("cpu"));
    const auto predictor = demo_train::load_attribute_predictor(predictor_file);
    std::cout << demo_train::to_markdown(
        demo_train::measure_generator_fidelity(gen, predictor, count, seed));
    std::cout << "\n" << demo_train::to_markdown(demo_train::measure_counterpart_effects(
                              gen, predictor, std::max<int64_t>(2, count / demo_train::kAttributeFamilies), seed));
    const int64_t side = gen.net->size();
    if (grid) {
      // 4 rows of 8 latents: what each decides (the renderer), then what the generator draws.
      // [4, 2, 8, 3, S, S] in [0, 1]
      const torch::Tensor x = torch::stack({demo_train::generator_targets(gen, 32, seed).view({4, 8, 3, side, side}),
                                            demo_train::generator_samples(gen, 32, seed).view({4, 8, 3, side, side})},
                                           1);
      if (const int written = write_png(image_sheet(x.view({64, 3, side, side}), 8), *grid); written != kOk)
        return written;
    }
    if (pairs_grid) {
      // One row per family, two pairs: the renderer's pair, then the generator's, twice.
      // [F, 2 pairs, 2, 3, S, S] x 2 -> [F, 2 pairs, 2 sources, 2, 3, S, S]
      const auto [drawn, targets] = demo_train::counterpart_samples(gen, 2, seed);
      const torch::Tensor x = torch::stack({targets, drawn}, 2);
      if (const int written = write_png(image_sheet(x.reshape({-1, 3, side, side}), 8), *pairs_grid); written != kOk)
        return written;
    }
  } catch (const io::ModelFileError& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kModelProblem;
  }
  return kOk;
}

}  // namespace deltaedit::cli
