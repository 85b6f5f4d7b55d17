// describe_model_file: format detection, the key tree with shapes/dtypes/bytes, values, totals.
#include <gtest/gtest.h>

#include "core/io/model_file_error.h"
#include "core/io/model_inspect.h"
#include "tests/support/fixtures.h"

namespace deltaedit::io {
namespace {

using testing::fixture;

bool has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(ModelInspect, NestedCheckpointTree) {
  DELTAEDIT_REQUIRE_FIXTURES();
  for (const char* file : {"zip_nested.pt", "legacy_nested.pt"}) {
    const std::string d = describe_model_file(fixture(std::string("checkpoint/") + file));
    EXPECT_TRUE(has(d, file[0] == 'z' ? "zip, folder 'zip_nested'" : "legacy format")) << d;
    EXPECT_TRUE(has(d, "  g_ema: dict (20 entries)")) << d;
    EXPECT_TRUE(has(d, "    f32: float32 [2, 3, 4]  96 B")) << d;
    EXPECT_TRUE(has(d, "    large: uint8 [1000, 1000]  976.6 KiB")) << d;
    EXPECT_TRUE(has(d, "    param: float32 [4, 4]  64 B  (Parameter)")) << d;
    EXPECT_TRUE(has(d, "    str: 'Encoder4Editing'")) << d;
    EXPECT_TRUE(has(d, "    int_big: 1099511627776")) << d;
    EXPECT_TRUE(has(d, "    tuple: (1, 'two', 3.0)")) << d;
    EXPECT_TRUE(has(d, "    encoder.bn.num_batches_tracked: int64 []  8 B  = ")) << d;
    EXPECT_TRUE(has(d, "totals: 32 tensors")) << d;
  }
}

TEST(ModelInspect, TorchScriptAndNpy) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const std::string jit = describe_model_file(fixture("checkpoint/jit_module.pt"));
  EXPECT_TRUE(has(jit, "TorchScript archive")) << jit;
  EXPECT_TRUE(has(jit, "state_dict (23 entries)")) << jit;
  EXPECT_TRUE(has(jit, "  alpha: float32 []  4 B  = 0.5")) << jit;
  const std::string npy = describe_model_file(fixture("checkpoint/npy/f32_c.npy"));
  EXPECT_TRUE(has(npy, "NumPy array")) << npy;
  EXPECT_TRUE(has(npy, "float32 [3, 4, 5]  240 B")) << npy;
}

TEST(ModelInspect, RefusesWhatItCannotRead) {
  DELTAEDIT_REQUIRE_FIXTURES();
  EXPECT_THROW(describe_model_file(fixture("checkpoint/bad/posix_system.pt")), ModelFileError);
  EXPECT_THROW(describe_model_file(fixture("checkpoint/bad/not_a_checkpoint.pt")), ModelFileError);
}

}  // namespace
}  // namespace deltaedit::io
