#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/engine/edit_engine.h"
#include "core/engine/model_bundle.h"
#include "core/io/model_file_error.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/fixture_bundle.h"
#include "tests/support/fixtures.h"

namespace {

using namespace deltaedit::engine;
namespace fs = std::filesystem;

TEST(ModelBundle, FixtureBundleIsComplete) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = deltaedit::testing::make_fixture_model_bundle(deltaedit::testing::temp_dir("bundle"));
  const auto checks = check_models(dir, true);
  ASSERT_EQ(checks.size(), 6u);
  for (const auto& c : checks) EXPECT_EQ(c.state, FileState::Ok) << c.spec.role << ": " << c.detail;
  const auto paths = locate_models(dir);
  EXPECT_EQ(paths.generator, dir / "generator.pt");
  EXPECT_EQ(paths.fs3, dir / "fs3.npy");
}

TEST(ModelBundle, OfficialBundleReportsWhatIsMissingAndWhereToGetIt) {
  const auto dir = deltaedit::testing::temp_dir("official");
  const auto checks = check_models(dir, false);
  ASSERT_GE(checks.size(), 6u);
  int missing = 0;
  for (const auto& c : checks) {
    if (c.spec.role == "dlib_predictor") continue;  // Debian's copy is used when absent
    EXPECT_EQ(c.state, FileState::Missing) << c.spec.role;
    EXPECT_NE(c.detail.find(c.spec.file_name), std::string::npos) << c.detail;
    EXPECT_FALSE(c.spec.source.empty());
    ++missing;
  }
  EXPECT_EQ(missing, 6);
  const std::string report = format_check_report(checks);
  EXPECT_NE(report.find("stylegan2-ffhq-config-f.pt"), std::string::npos);
  EXPECT_NE(report.find("non-commercial"), std::string::npos);
}

TEST(ModelBundle, WrongSizeAndWrongChecksumAreReported) {
  const auto dir = deltaedit::testing::temp_dir("official_bad");
  // The official vocabulary has a known size and checksum.
  std::ofstream(dir / "bpe_simple_vocab_16e6.txt.gz") << "truncated download";
  auto find = [](const std::vector<FileCheck>& checks, const std::string& role) {
    for (const auto& c : checks)
      if (c.spec.role == role) return c;
    return FileCheck{};
  };
  EXPECT_EQ(find(check_models(dir, false), "clip_vocab").state, FileState::WrongSize);
  DELTAEDIT_REQUIRE_FIXTURES();
  // Right size, wrong bytes: only the checksum can tell.
  std::string data = deltaedit::testing::read_text(deltaedit::testing::fixture("clip/bpe_simple_vocab_16e6.txt.gz"));
  data[1000] ^= 1;
  std::ofstream(dir / "bpe_simple_vocab_16e6.txt.gz", std::ios::binary | std::ios::trunc) << data;
  EXPECT_EQ(find(check_models(dir, false), "clip_vocab").state, FileState::Ok);
  EXPECT_EQ(find(check_models(dir, true), "clip_vocab").state, FileState::WrongChecksum);
}

TEST(ModelBundle, FolderComesFromTheArgumentThenTheEnvironment) {
  EXPECT_EQ(resolve_models_folder("/x/y"), fs::path("/x/y"));
  ::setenv("DELTAEDIT_MODELS", "/from/env", 1);
  EXPECT_EQ(resolve_models_folder(), fs::path("/from/env"));
  EXPECT_EQ(resolve_models_folder("/x/y"), fs::path("/x/y"));
  ::unsetenv("DELTAEDIT_MODELS");
  EXPECT_NE(resolve_models_folder(), fs::path("/from/env"));
}

TEST(ModelBundle, WrongNetworkFileIsRefusedNamingTheFile) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = deltaedit::testing::make_fixture_model_bundle(deltaedit::testing::temp_dir("swapped"));
  // The CLIP archive where the generator should be.
  fs::remove(dir / "generator.pt");
  fs::create_symlink(deltaedit::testing::fixture("clip/clip_jit.pt"), dir / "generator.pt");
  try {
    EditEngine e(locate_models(dir), deltaedit::nets::choose_device("cpu"));
    ADD_FAILURE() << "a CLIP archive was accepted as the generator";
  } catch (const deltaedit::io::ModelFileError& e) {
    EXPECT_NE(std::string(e.what()).find("generator.pt"), std::string::npos) << e.what();
  }
}

TEST(ModelBundle, ManifestNamesTheRecommendedThresholdElseDeltaEditsIsUsed) {
  const auto dir = deltaedit::testing::temp_dir("defaults");
  const auto write = [&](const std::string& text) { std::ofstream(dir / "manifest.json", std::ios::trunc) << text; };
  write(R"({"files": [{"role": "generator", "file": "g.pt"}]})");
  EXPECT_EQ(locate_models(dir).default_threshold, kDeltaEditThreshold);
  EXPECT_EQ(locate_models(dir).generator, dir / "g.pt");
  write(R"({"files": [{"role": "generator", "file": "g.pt"}], "defaults": {"threshold": 0.004}})");
  EXPECT_EQ(locate_models(dir).default_threshold, 0.004);
  // The official manifest (no folder manifest) keeps DeltaEdit's value.
  EXPECT_EQ(locate_models(deltaedit::testing::temp_dir("no_manifest")).default_threshold, 0.03);
  for (const char* bad : {R"({"files": [], "defaults": {"threshold": -0.1}})",
                          R"({"files": [], "defaults": {"threshold": "low"}})",
                          R"({"files": [], "defaults": {"threshold": 2}})"}) {
    write(bad);
    try {
      locate_models(dir);
      ADD_FAILURE() << "accepted " << bad;
    } catch (const std::runtime_error& e) {
      EXPECT_NE(std::string(e.what()).find("manifest.json"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
