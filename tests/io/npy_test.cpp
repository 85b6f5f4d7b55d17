// .npy reading of every fixture variant and atomic v1 writing.
#include <fstream>

#include <gtest/gtest.h>

#include "core/io/model_file_error.h"
#include "core/io/npy.h"
#include "tests/io/expected_tensor.h"
#include "tests/support/fixtures.h"

namespace deltaedit::io {
namespace {

using testing::fixture;

const char* dtype_of_descr(const std::string& d) {
  const std::string t = d.substr(1);
  if (t == "f2") return "float16";
  if (t == "f4") return "float32";
  if (t == "f8") return "float64";
  if (t == "i4") return "int32";
  if (t == "i8") return "int64";
  if (t == "u1") return "uint8";
  if (t == "b1") return "bool";
  return "?";
}

TEST(Npy, EveryFixtureMatches) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto expected = testing::read_json(fixture("checkpoint/expected_npy.json"));
  ASSERT_GE(expected.size(), 12u);
  for (const auto& [name, e] : expected.object) {
    const torch::Tensor t = load_npy(fixture("checkpoint/npy/" + name));
    EXPECT_TRUE(t.is_contiguous()) << name;
    testing::Json desc = e;
    desc.object.emplace_back("dtype", testing::Json{testing::Json::Type::String, false, 0,
                                                    dtype_of_descr(e["descr"].str())});
    desc.object.emplace_back("values", e["values_c_order"]);
    testing::expect_tensor_matches(t, desc, name);
  }
}

TEST(Npy, RoundTripsEveryDtypeAndShape) {
  const auto dir = testing::temp_dir("npy");
  const std::vector<torch::Tensor> cases = {
      torch::randn({3, 4, 5}),
      torch::randn({4, 6}).t(),  // non-contiguous input
      torch::tensor(3.5),
      torch::empty({0, 3}),
      torch::randn({7}, torch::kDouble),
      torch::arange(10, torch::kLong).reshape({2, 5}),
      torch::arange(6, torch::kInt),
      torch::randint(0, 255, {2, 2, 3}).to(torch::kByte),
      torch::randn({6}).to(torch::kHalf),
      torch::tensor({true, false, true}),
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto path = dir / ("case" + std::to_string(i) + ".npy");
    save_npy(path, cases[i]);
    const torch::Tensor back = load_npy(path);
    EXPECT_EQ(back.scalar_type(), cases[i].scalar_type()) << i;
    EXPECT_EQ(back.sizes(), cases[i].sizes()) << i;
    EXPECT_TRUE(torch::equal(back, cases[i])) << i;
  }
  // No temp file is left behind.
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, cases.size());
}

TEST(Npy, SavedHeaderIsVersion1AndAligned) {
  const auto path = testing::temp_dir("npy_header") / "a.npy";
  save_npy(path, torch::zeros({2, 3}));
  const std::string bytes = testing::read_text(path);
  ASSERT_GE(bytes.size(), 10u);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8));
  const std::size_t header = static_cast<uint8_t>(bytes[8]) | static_cast<uint8_t>(bytes[9]) << 8;
  EXPECT_EQ((10 + header) % 64, 0u);
  EXPECT_NE(bytes.find("'shape': (2, 3)"), std::string::npos);
  EXPECT_EQ(bytes.size(), 10 + header + 6 * 4);
}

TEST(Npy, BrokenFilesAreRefused) {
  const auto dir = testing::temp_dir("npy_bad");
  const auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir / name, std::ios::binary) << bytes;
    return dir / name;
  };
  EXPECT_THROW(load_npy(write("empty.npy", "")), ModelFileError);
  EXPECT_THROW(load_npy(write("text.npy", "hello world, not numpy")), ModelFileError);
  EXPECT_THROW(load_npy(dir / "missing.npy"), ModelFileError);
  // A valid header promising more data than present.
  save_npy(dir / "ok.npy", torch::zeros({100}));
  std::string bytes = testing::read_text(dir / "ok.npy");
  EXPECT_THROW(load_npy(write("short.npy", bytes.substr(0, bytes.size() - 4))), ModelFileError);
  // Structured dtypes are refused clearly.
  std::string h = "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (1,), }";
  h.append(64 - (10 + h.size() + 1) % 64, ' ');
  h += '\n';
  std::string s = std::string("\x93NUMPY\x01\x00", 8) + static_cast<char>(h.size()) + '\0' + h;
  EXPECT_THROW(load_npy(write("structured.npy", s + std::string(4, '\0'))), ModelFileError);
}

}  // namespace
}  // namespace deltaedit::io
