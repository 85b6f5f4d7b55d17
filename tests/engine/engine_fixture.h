#pragma once
// One EditEngine on the fixture models, shared by the engine tests (loading takes a moment).
#include <memory>

#include "core/engine/edit_engine.h"

namespace deltaedit::testing {

// The CPU with every weight kept as loaded (float32): the configuration that reproduces the
// reference within the fixtures' tolerances. The default half-stored weights are tested apart.
nets::ComputeDevice float32_weights_cpu();

// nullptr when the fixtures are absent (callers skip). Runs on float32_weights_cpu().
engine::EditEngine* fixture_engine();

std::filesystem::path fixture_bundle_dir();

}  // namespace deltaedit::testing
