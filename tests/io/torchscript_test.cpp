// TorchScript archives: parameters and buffers by state_dict() names and order, no code run.
#include <gtest/gtest.h>

#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "core/io/torchscript_reader.h"
#include "tests/io/expected_tensor.h"
#include "tests/support/fixtures.h"

namespace deltaedit::io {
namespace {

using testing::fixture;

std::vector<std::string> names_of(const StateDict& sd) {
  std::vector<std::string> out;
  for (const auto& [k, t] : sd.entries()) out.push_back(k);
  return out;
}

TEST(TorchScript, JitModuleMatchesNamedParametersAndBuffers) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto file = fixture("checkpoint/jit_module.pt");
  const auto expected = testing::read_json(fixture("checkpoint/expected_jit.json"));
  ASSERT_TRUE(is_torchscript_archive(file));
  const StateDict sd = load_torchscript_state_dict(file);
  EXPECT_EQ(names_of(sd), expected["state_dict_keys"].strings());
  for (const char* group : {"parameters", "buffers"})
    for (const auto& e : expected[group].array)
      testing::expect_tensor_matches(sd.at(e["name"].str()), e, e["name"].str());
  // load_state_dict on an archive takes the same path.
  EXPECT_EQ(names_of(load_state_dict(file)), expected["state_dict_keys"].strings());
}

TEST(TorchScript, ClipArchiveMatchesItsStateDict) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto file = fixture("clip/clip_jit.pt");
  const auto expected = testing::read_json(fixture("clip/jit_state_dict.json"));
  const StateDict sd = load_torchscript_state_dict(file);
  std::vector<std::string> want;
  for (const auto& e : expected.array) {
    want.push_back(e["name"].str());
    testing::expect_tensor_matches(sd.at(e["name"].str()), e, e["name"].str());
  }
  EXPECT_EQ(names_of(sd), want);
  for (const char* scalar : {"input_resolution", "context_length", "vocab_size"})
    EXPECT_EQ(sd.at(scalar).dim(), 0) << scalar;
}

TEST(TorchScript, PlainCheckpointsAreNotArchives) {
  DELTAEDIT_REQUIRE_FIXTURES();
  EXPECT_FALSE(is_torchscript_archive(fixture("checkpoint/zip_nested.pt")));
  EXPECT_FALSE(is_torchscript_archive(fixture("checkpoint/legacy_nested.pt")));
  EXPECT_THROW(load_torchscript_state_dict(fixture("checkpoint/zip_nested.pt")), ModelFileError);
}

TEST(TorchScript, ArchiveClassesAreRefusedByThePlainReader) {
  DELTAEDIT_REQUIRE_FIXTURES();
  try {
    load_checkpoint(fixture("checkpoint/jit_module.pt"));
    FAIL() << "accepted";
  } catch (const ModelFileError& e) {
    EXPECT_NE(e.problem().find("__torch__"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace deltaedit::io
