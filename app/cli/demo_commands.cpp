// The demo domain tools (docs/demo_domain.md): `demo dataset` writes procedural portraits with
// captions and attributes; `demo grid` writes a contact sheet of them.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/image_sheet.h"
#include "app/cli/progress_line.h"
#include "core/demo/demo_dataset.h"
#include "core/demo/sample_grid.h"
#include "core/demo_train/attribute_counterparts.h"

namespace deltaedit::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

int size_option(const ParsedArgs& args, int fallback) {
  const int64_t size = integer_option(args, "size", fallback, 16);
  if (size > 1024) throw UsageError("--size must be in [16, 1024] (64 or 128 for the demo)");
  return static_cast<int>(size);
}

// --out DIR or -o DIR.
fs::path output_option(const ParsedArgs& args, const std::string& command) {
  auto out = args.value("out");
  if (!out) out = args.value("output");
  if (!out || out->empty()) throw UsageError(command + ": give the output with --out");
  return *out;
}

void expect_words(const ParsedArgs& args, const std::string& command) {
  if (args.words.size() != 2)
    throw UsageError(command + " takes no positional arguments (see deltaedit --help)");
}

int run_demo_dataset(const ParsedArgs& args) {
  expect_words(args, "demo dataset");
  demo::DatasetOptions options;
  options.out_dir = output_option(args, "demo dataset");
  options.train_count = integer_option(args, "count", 10000, 0);
  options.held_out_count = integer_option(args, "held-out", 0, 0);
  options.size = size_option(args, 128);
  options.seed = seed_option(args);
  const bool quiet = args.flag("quiet");

  ProgressLine line(quiet);
  const auto t0 = Clock::now();
  auto last = t0 - std::chrono::seconds(1);
  int decile = -1;
  const bool tty = ::isatty(STDERR_FILENO) != 0;
  // The rate counts images drawn by this run, not those kept from an earlier one.
  auto progress = [&](const demo::DatasetSummary& so_far, int64_t total) {
    if (quiet || total <= 0) return;
    const int64_t done = so_far.rendered + so_far.kept;
    const auto now = Clock::now();
    const double s = std::chrono::duration<double>(now - t0).count();
    const double f = static_cast<double>(done) / static_cast<double>(total);
    char text[128];
    std::snprintf(text, sizeof(text), "%lld/%lld images  %.1f images/s",
                  static_cast<long long>(done), static_cast<long long>(total),
                  s > 0 ? static_cast<double>(so_far.rendered) / s : 0.0);
    if (tty) {
      if (done < total && now - last < std::chrono::milliseconds(200)) return;
      last = now;
      line.update("demo dataset", text, f);
    } else if (static_cast<int>(f * 10) > decile || done == total) {
      decile = static_cast<int>(f * 10);
      line.done(std::string("demo dataset  ") + text);
    }
  };
  try {
    const demo::DatasetSummary summary = demo::write_dataset(options, progress);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    char text[256];
    std::snprintf(text, sizeof(text), "%s: %lld rendered, %lld kept from an earlier run (%.1f s)",
                  options.out_dir.string().c_str(), static_cast<long long>(summary.rendered),
                  static_cast<long long>(summary.kept), s);
    line.done(text);
  } catch (const demo::DatasetError& e) {
    line.fail(std::string("deltaedit: ") + e.what());
    return kOutputProblem;
  }
  return kOk;
}

int run_demo_grid(const ParsedArgs& args) {
  expect_words(args, "demo grid");
  const fs::path out = output_option(args, "demo grid");
  const int count = static_cast<int>(integer_option(args, "count", 32, 1));
  if (count > 1024) throw UsageError("--count must be at most 1024 for a grid");
  const int size = size_option(args, 128);
  if (fs::exists(out) && !args.flag("overwrite")) {
    std::cerr << "deltaedit: " << out.string() << " exists (use --overwrite)\n";
    return kOutputProblem;
  }
  if (const int written = write_png(demo::sample_grid(seed_option(args), count, 8, size), out); written != kOk)
    return written;
  if (!args.flag("quiet")) std::cerr << out.string() << ": " << count << " portraits\n";
  return kOk;
}

// Counterpart pairs of training portraits for `train-mapper --paired`.
int run_demo_counterparts(const ParsedArgs& args) {
  expect_words(args, "demo counterparts");
  const fs::path out = output_option(args, "demo counterparts");
  const int64_t count = integer_option(args, "count", 4000, 1);
  const int size = size_option(args, 64);
  const uint64_t seed = seed_option(args);
  ProgressLine line(args.flag("quiet"));
  const auto t0 = Clock::now();
  try {
    demo_train::write_counterpart_pairs(out, seed, count, size, [&](int64_t done, int64_t total) {
      line.update("demo counterparts", std::to_string(done) + "/" + std::to_string(total) + " pairs",
                  static_cast<double>(done) / static_cast<double>(total));
    });
  } catch (const std::runtime_error& e) {
    line.fail(std::string("deltaedit: ") + e.what());
    return kOutputProblem;
  }
  char text[160];
  std::snprintf(text, sizeof(text), "%s: %lld pairs (%.1f s)", out.string().c_str(),
                static_cast<long long>(count),
                std::chrono::duration<double>(Clock::now() - t0).count());
  line.done(text);
  return kOk;
}

}  // namespace

int run_demo(const ParsedArgs& args) {
  const std::string sub = args.words.size() >= 2 ? args.words[1] : "";
  if (sub == "dataset") return run_demo_dataset(args);
  if (sub == "grid") return run_demo_grid(args);
  if (sub == "counterparts") return run_demo_counterparts(args);
  if (sub == "train-generator") return run_demo_train_generator(args);
  if (sub == "build") return run_demo_build(args);
  if (sub == "train-e4e") return run_demo_train_e4e(args);
  if (sub == "train-clip") return run_demo_train_clip(args);
  if (sub == "train-predictor") return run_demo_train_predictor(args);
  if (sub == "evaluate") return run_demo_evaluate(args);
  if (sub == "calibrate") return run_demo_calibrate(args);
  if (sub == "check-generator") return run_demo_check_generator(args);
  throw UsageError("demo: unknown command '" + sub +
                   "' (dataset, grid, counterparts, build, train-generator, train-clip, train-e4e, "
                   "train-predictor, calibrate, evaluate, check-generator; see deltaedit --help)");
}

}  // namespace deltaedit::cli
