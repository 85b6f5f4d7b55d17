// Files that are not a usable e4e checkpoint fail with a ModelFileError that names the file,
// the key and (for shapes) what was expected and what was found.
#include <functional>
#include <string>

#include <gtest/gtest.h>

#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "core/nets/e4e/encoder4editing.h"
#include "tests/support/fixtures.h"

namespace deltaedit::nets {
namespace {

using testing::fixture;

// The fixture encoder's weights with `drop` left out and `replace` swapped in.
io::StateDict edited_weights(const std::string& drop, const std::string& replace = {},
                             torch::Tensor with = {}) {
  const auto file = fixture("e4e/e4e.pt");
  const auto all = io::load_state_dict(file, "state_dict").with_prefix("encoder.");
  io::StateDict out(file);
  for (const auto& [name, t] : all.entries()) {
    if (name == drop) continue;
    out.add(name, name == replace ? with : t);
  }
  return out;
}

::testing::AssertionResult Contains(const std::string& text, const std::string& part) {
  if (text.find(part) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "'" << text << "' does not contain '" << part << "'";
}

std::string error_of(const std::function<void()>& f, std::filesystem::path* file = nullptr) {
  try {
    f();
  } catch (const io::ModelFileError& e) {
    if (file) *file = e.file();
    return e.what();
  }
  return "(no ModelFileError)";
}

TEST(E4eWrongFile, GeneratorCheckpointIsNotAnE4e) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto gen = fixture("stylegan2/generator.pt");
  std::filesystem::path named;
  const auto msg = error_of([&] { load_e4e(gen, ComputeDevice{}); }, &named);
  EXPECT_EQ(named, gen);
  EXPECT_TRUE(Contains(msg, "not an e4e checkpoint"));
  EXPECT_TRUE(Contains(msg, "'g_ema'"));  // says what the file holds instead
}

TEST(E4eWrongFile, MissingKeyIsNamed) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto key = "body.5.res_layer.5.fc2.weight";
  std::filesystem::path named;
  const auto msg = error_of([&] { e4e_from_weights(edited_weights(key)); }, &named);
  EXPECT_EQ(named, fixture("e4e/e4e.pt"));
  EXPECT_TRUE(Contains(msg, std::string("missing key '") + key + "'"));
  EXPECT_TRUE(Contains(msg, "[32, 2, 1, 1]"));  // what the architecture expects there

  // A key the geometry is read from.
  EXPECT_TRUE(Contains(error_of([&] { e4e_from_weights(edited_weights("latlayer1.weight")); }),
                       "'latlayer1.weight'"));
}

TEST(E4eWrongFile, WrongShapeNamesExpectedAndFound) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto key = "styles.5.linear.weight";
  const auto msg = error_of([&] {
    e4e_from_weights(edited_weights("", key, torch::zeros({64, 32})));
  });
  EXPECT_TRUE(Contains(msg, fixture("e4e/e4e.pt").string()));
  EXPECT_TRUE(Contains(msg, key));
  EXPECT_TRUE(Contains(msg, "[64, 64]"));
  EXPECT_TRUE(Contains(msg, "[64, 32]"));
}

TEST(E4eWrongFile, InconsistentBodyIsRejected) {
  DELTAEDIT_REQUIRE_FIXTURES();
  // A unit whose input width does not match the previous unit's output.
  const auto msg = error_of([&] {
    e4e_from_weights(edited_weights("", "body.4.res_layer.1.weight", torch::zeros({32, 16, 3, 3})));
  });
  EXPECT_TRUE(Contains(msg, "body.4.res_layer.1.weight"));
}

}  // namespace
}  // namespace deltaedit::nets
