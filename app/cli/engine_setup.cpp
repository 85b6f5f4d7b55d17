#include "app/cli/engine_setup.h"

#include <cstdlib>
#include <iostream>
#include <thread>

#include "app/cli/progress_line.h"
#include "core/nets/common/blas_check.h"
#include "core/nets/common/device.h"

namespace deltaedit::cli {

std::unique_ptr<engine::EditEngine> load_engine(const ParsedArgs& args) {
  const auto folder = engine::resolve_models_folder(args.value("models").value_or(""));
  const auto checks = engine::check_models(folder, /*verify_checksums=*/false);
  for (const auto& c : checks)
    if (c.state != engine::FileState::Ok)
      throw ModelsMissing("the model bundle in " + folder.string() + " is incomplete:\n" +
                          engine::format_check_report(checks) +
                          "(see models/README.md; `deltaedit models check` repeats this report)");
  if (auto w = nets::blas_warning(); !w.empty()) std::cerr << w << "\n";
  nets::ComputeDevice device;
  try {
    device = nets::choose_device(args.value("device").value_or("auto"));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  ProgressLine progress(args.flag("quiet"));
  auto engine = std::make_unique<engine::EditEngine>(
      engine::locate_models(folder), device,
      [&](const std::string& stage, double f) { progress.update("models", stage, f); });
  progress.done("models loaded from " + folder.string() + " on " + device.describe());
  return engine;
}

std::vector<engine::EditStep> edit_steps(const ParsedArgs& args) {
  const auto targets = args.all("target");
  const auto strengths = args.all("strength");
  if (strengths.size() > 1 && strengths.size() != targets.size())
    throw UsageError("give one --strength for all targets or one per --target (" +
                     std::to_string(targets.size()) + " targets, " + std::to_string(strengths.size()) +
                     " strengths)");
  std::vector<engine::EditStep> steps;
  if (targets.empty()) return steps;
  // The bundle's own beta unless the user names one (its manifest is read, no model loaded).
  const double threshold =
      args.value("threshold")
          ? args.number("threshold", engine::kDeltaEditThreshold)
          : engine::locate_models(engine::resolve_models_folder(args.value("models").value_or("")))
                .default_threshold;
  for (size_t i = 0; i < targets.size(); ++i) {
    engine::EditStep s;
    s.target = targets[i];
    if (s.target.empty()) throw UsageError("--target must not be empty");
    s.source = args.value("source").value_or("face");
    s.threshold = threshold;
    if (!strengths.empty()) {
      const std::string& v = strengths.size() == 1 ? strengths[0] : strengths[i];
      char* end = nullptr;
      s.strength = std::strtod(v.c_str(), &end);
      if (end == v.c_str() || *end) throw UsageError("--strength: '" + v + "' is not a number");
    }
    steps.push_back(s);
  }
  return steps;
}

void use_all_cores() {
  int n = static_cast<int>(std::thread::hardware_concurrency());
  if (const char* env = std::getenv("DELTAEDIT_THREADS"); env && std::atoi(env) > 0)
    n = std::atoi(env);
  if (n > 0 && torch::get_num_threads() != n) torch::set_num_threads(n);
}

}  // namespace deltaedit::cli
