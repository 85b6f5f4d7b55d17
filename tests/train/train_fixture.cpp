#include "tests/train/train_fixture.h"

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

}  // namespace deltaedit::testing
