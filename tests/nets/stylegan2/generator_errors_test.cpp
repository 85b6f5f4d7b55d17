// Files that are not a StyleGAN2 generator, or a damaged one, are refused with a ModelFileError
// that names the file, the key and (for shape problems) expected vs found shape.
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "core/nets/stylegan2/generator.h"
#include "tests/support/fixtures.h"

namespace deltaedit::nets {
namespace {

using testing::fixture;
#define EXPECT_CONTAINS(text, part)                          \
  EXPECT_NE(std::string(text).find(part), std::string::npos) \
      << "'" << (part) << "' not in: " << (text)

// The message of the ModelFileError thrown by `f` (fails the test if none is thrown).
template <typename F>
std::string model_file_error_of(F&& f) {
  try {
    f();
  } catch (const io::ModelFileError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected ModelFileError, got: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected ModelFileError, nothing thrown";
  return {};
}

io::StateDict fixture_g_ema() {
  io::StateDict sd = io::load_state_dict(fixture("stylegan2/generator.pt"), "g_ema");
  sd.set_source("edited_generator.pt");
  return sd;
}

// A copy of `sd` without `drop` and with `replace` (when given) swapped for `with`.
io::StateDict edited(const io::StateDict& sd, const std::string& drop,
                     const std::string& replace = {}, const torch::Tensor& with = {}) {
  io::StateDict out(sd.source());
  for (const auto& [name, t] : sd.entries()) {
    if (name == drop) continue;
    out.add(name, name == replace ? with : t);
  }
  return out;
}

TEST(GeneratorErrors, E4eCheckpointIsNotAGenerator) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto file = fixture("e4e/e4e.pt");
  const std::string msg = model_file_error_of([&] { load_generator(file, {}); });
  EXPECT_CONTAINS(msg, file.string());
  EXPECT_CONTAINS(msg, "g_ema");
}

TEST(GeneratorErrors, ClipArchiveIsNotAGenerator) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto file = fixture("clip/clip_jit.pt");
  EXPECT_CONTAINS(model_file_error_of([&] { load_generator(file, {}); }), file.string());
}

TEST(GeneratorErrors, MapperStateDictIsNotAGenerator) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto file = fixture("mapper/mapper.pt");
  EXPECT_CONTAINS(model_file_error_of([&] { load_generator(file, {}); }), file.string());
}

TEST(GeneratorErrors, MissingKeyIsNamed) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const io::StateDict sd = edited(fixture_g_ema(), "convs.3.noise.weight");
  const std::string msg = model_file_error_of([&] { build_generator(sd); });
  EXPECT_CONTAINS(msg, "edited_generator.pt");
  EXPECT_CONTAINS(msg, "convs.3.noise.weight");
  EXPECT_CONTAINS(msg, "[1]");
}

TEST(GeneratorErrors, MissingMappingIsNamed) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const std::string msg =
      model_file_error_of([&] { build_generator(edited(fixture_g_ema(), "style.1.weight")); });
  EXPECT_CONTAINS(msg, "edited_generator.pt");
  EXPECT_CONTAINS(msg, "style.1.weight");
}

TEST(GeneratorErrors, MissingNoiseBufferIsNamed) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const std::string msg =
      model_file_error_of([&] { build_generator(edited(fixture_g_ema(), "noises.noise_8")); });
  EXPECT_CONTAINS(msg, "noises.noise_8");
  EXPECT_CONTAINS(msg, "[1, 1, 64, 64]");
}

TEST(GeneratorErrors, WrongShapeNamesExpectedAndFound) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const io::StateDict sd =
      edited(fixture_g_ema(), "", "convs.3.conv.modulation.weight", torch::zeros({64, 32}));
  const std::string msg = model_file_error_of([&] { build_generator(sd); });
  EXPECT_CONTAINS(msg, "edited_generator.pt");
  EXPECT_CONTAINS(msg, "convs.3.conv.modulation.weight");
  EXPECT_CONTAINS(msg, "[64, 64]");  // expected
  EXPECT_CONTAINS(msg, "[64, 32]");  // found
}

TEST(GeneratorErrors, MalformedConvWeightIsNamed) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const io::StateDict sd =
      edited(fixture_g_ema(), "", "convs.2.conv.weight", torch::zeros({64, 64, 3, 3}));
  const std::string msg = model_file_error_of([&] { build_generator(sd); });
  EXPECT_CONTAINS(msg, "convs.2.conv.weight");
  EXPECT_CONTAINS(msg, "[64, 64, 3, 3]");
}

TEST(GeneratorErrors, UnpairedConvIsNamed) {
  DELTAEDIT_REQUIRE_FIXTURES();
  io::StateDict sd = fixture_g_ema();
  sd.add("convs.8.conv.weight", torch::zeros({1, 32, 32, 3, 3}));
  EXPECT_CONTAINS(model_file_error_of([&] { build_generator(sd); }), "convs.9.conv.weight");
}

TEST(GeneratorErrors, LeftoverKeyIsNamed) {
  DELTAEDIT_REQUIRE_FIXTURES();
  io::StateDict sd = fixture_g_ema();
  sd.add("style.9.bias", torch::zeros({64}));  // a bias without its weight: not a mapping layer
  EXPECT_CONTAINS(model_file_error_of([&] { build_generator(sd); }), "style.9.bias");
}

}  // namespace
}  // namespace deltaedit::nets
