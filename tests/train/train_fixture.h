#pragma once
// The fixture generator and CLIP, loaded once per test program (CPU, float32).
#include "core/nets/clip/clip_model.h"
#include "core/nets/stylegan2/generator.h"

namespace deltaedit::testing {

nets::LoadedGenerator& fixture_generator();
nets::ClipModel& fixture_clip();

}  // namespace deltaedit::testing
