#include "tests/train/train_fixture.h"

#include "core/train/code_generator.h"
#include "tests/support/fixtures.h"

namespace deltaedit::testing {

nets::LoadedGenerator& fixture_generator() {
  static nets::LoadedGenerator gen =
      nets::load_generator(fixture("stylegan2/generator.pt"), nets::choose_device("cpu"));
  return gen;
}

nets::ClipModel& fixture_clip() {
  static nets::LoadedClip clip =
      nets::load_clip(fixture("clip/clip_jit.pt"), nets::choose_device("cpu"));
  return clip.net;
}

train::CodeSetInfo fixture_code_info(int64_t shard_size, int64_t count, uint64_t seed) {
  auto& gen = fixture_generator();
  train::CodeSetInfo info;
  train::set_model_fields(info, gen, fixture_clip(), gen.net->size());
  info.shard_size = shard_size;
  info.count = count;
  info.seed = seed;
  return info;
}

}  // namespace deltaedit::testing
