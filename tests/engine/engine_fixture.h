#pragma once
// One EditEngine on the fixture models, shared by the engine tests (loading takes a moment).
#include <memory>

#include "core/engine/edit_engine.h"

namespace deltaedit::testing {

// nullptr when the fixtures are absent (callers skip).
engine::EditEngine* fixture_engine();

std::filesystem::path fixture_bundle_dir();

}  // namespace deltaedit::testing
