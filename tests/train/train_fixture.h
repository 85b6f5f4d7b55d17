#pragma once
// The fixture generator and CLIP, loaded once per test program (CPU, float32).
#include "core/nets/clip/clip_model.h"
#include "core/nets/stylegan2/generator.h"
#include "core/train/code_shards.h"

namespace deltaedit::testing {

nets::LoadedGenerator& fixture_generator();
nets::ClipModel& fixture_clip();
// A sampled code set of the fixture models: `count` codes in shards of `shard_size` from `seed`.
train::CodeSetInfo fixture_code_info(int64_t shard_size, int64_t count, uint64_t seed);

}  // namespace deltaedit::testing
