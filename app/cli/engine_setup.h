#pragma once
// Shared by the commands that need the networks: resolve the models folder, refuse early with
// the check report when files are missing, pick the device, load the engine with progress.
#include <memory>

#include "app/cli/cli_args.h"
#include "core/engine/edit_engine.h"

namespace deltaedit::cli {

// Throws ModelsMissing (exit code 3) with the report when the bundle is incomplete.
std::unique_ptr<engine::EditEngine> load_engine(const ParsedArgs& args);

// LibTorch may start with one intra-op thread: the training and evaluation commands use every
// core ($DELTAEDIT_THREADS overrides), as the editor does.
void use_all_cores();

// Edit steps from --target (repeatable), --source, --strength (one value, or one per target),
// --threshold (default: the model bundle's recommended beta).
std::vector<engine::EditStep> edit_steps(const ParsedArgs& args);

struct ModelsMissing : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace deltaedit::cli
