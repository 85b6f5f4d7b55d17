#include "tests/engine/engine_fixture.h"

#include "tests/support/fixture_bundle.h"
#include "tests/support/fixtures.h"

namespace deltaedit::testing {

std::filesystem::path fixture_bundle_dir() {
  static const std::filesystem::path dir = make_fixture_model_bundle(temp_dir("bundle_shared").parent_path() / "fixture_bundle");
  return dir;
}

nets::ComputeDevice float32_weights_cpu() {
  auto cpu = nets::choose_device("cpu");
  cpu.half_stored_weights = false;
  return cpu;
}

engine::EditEngine* fixture_engine() {
  if (fixtures_root().empty()) return nullptr;
  static std::unique_ptr<engine::EditEngine> e = std::make_unique<engine::EditEngine>(
      engine::locate_models(fixture_bundle_dir()), float32_weights_cpu());
  return e.get();
}

}  // namespace deltaedit::testing
