// deltaedit_resample: the separable exact form of Upsample(x7, nearest) + AvgPool2d(kernel).
#include <gtest/gtest.h>

#include <limits>

#include "core/nets/clip/clip_resample.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::testing {
namespace {

// The reference (float32 AvgPool2d summing 64 values in float32) is itself up to 1.09e-6 away
// from the exact average for this input (checked in float64 with PyTorch), so no exact method
// can get closer than ~1.07e-6; the bound leaves that margin. Exactness is asserted below
// against a float64 computation.
TEST(ClipResampleTest, Input256MatchesReference) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto input = fixture_npy("clip/clip_input_256.npy");
  auto ref = fixture_npy("clip/resized_224.npy");
  auto out = nets::deltaedit_resample(input, 8);
  ASSERT_EQ(out.sizes(), ref.sizes());
  EXPECT_EQ(out.scalar_type(), torch::kFloat32);
  const double err = max_abs_diff(out, ref);
  RecordProperty("max_abs_error", std::to_string(err));
  EXPECT_LE(err, 2e-6);
}

TEST(ClipResampleTest, KernelIsSideOver32) {
  EXPECT_EQ(nets::deltaedit_resample_kernel(256), 8);
  EXPECT_EQ(nets::deltaedit_resample_kernel(64), 2);
  EXPECT_EQ(nets::deltaedit_resample_kernel(1024), 32);
  EXPECT_THROW(nets::deltaedit_resample_kernel(100), std::invalid_argument);
  EXPECT_THROW(nets::deltaedit_resample_kernel(0), std::invalid_argument);
}

// Independent check against LibTorch's own nearest upsampling + average pooling (the
// reference's two steps, materialised) computed in float64, on a non-square batch and kernels
// that do not divide 7 (windows straddle source rows unevenly): float64 in -> equal to rounding
// noise; float32 in -> the correctly rounded average (within one float32 ulp).
TEST(ClipResampleTest, EqualsMaterialisedUpsampleAndPool) {
  torch::manual_seed(3);
  auto image = torch::randn({2, 3, 96, 64}, torch::kFloat64);
  for (int64_t kernel : {1, 2, 3, 5, 8}) {
    auto exact = torch::avg_pool2d(torch::upsample_nearest2d(image, {7 * 96, 7 * 64}), kernel);
    auto ours64 = nets::deltaedit_resample(image, kernel);
    ASSERT_EQ(ours64.sizes(), exact.sizes()) << "kernel " << kernel;
    EXPECT_LE(max_abs_diff(ours64, exact), 1e-13) << "kernel " << kernel;
    // float32 in: compared with the exact average of the same (float32-rounded) pixels.
    auto image32 = image.to(torch::kFloat32);
    auto exact32 = torch::avg_pool2d(
        torch::upsample_nearest2d(image32.to(torch::kFloat64), {7 * 96, 7 * 64}), kernel);
    auto ours32 = nets::deltaedit_resample(image32, kernel);
    EXPECT_EQ(ours32.scalar_type(), torch::kFloat32);
    const auto ulp = exact32.abs() * std::numeric_limits<float>::epsilon() + 1e-12;
    EXPECT_TRUE(((ours32.to(torch::kFloat64) - exact32).abs() <= ulp).all().item<bool>())
        << "kernel " << kernel;
  }
}

TEST(ClipResampleTest, MatrixRowsAreAveragesAndCached) {
  auto a = nets::deltaedit_resample_matrix(256, 8);
  ASSERT_EQ(a.sizes(), (torch::IntArrayRef{224, 256}));
  EXPECT_LE((a.sum(1) - 1).abs().max().item<double>(), 1e-12);
  EXPECT_TRUE(a.is_same(nets::deltaedit_resample_matrix(256, 8)));
}

TEST(ClipResampleTest, RejectsBadInput) {
  EXPECT_THROW(nets::deltaedit_resample(torch::zeros({3, 64, 64}), 2), std::invalid_argument);
  EXPECT_THROW(nets::deltaedit_resample(torch::zeros({1, 3, 64, 64}, torch::kInt64), 2),
               std::invalid_argument);
  EXPECT_THROW(nets::deltaedit_resample(torch::zeros({1, 3, 64, 64}), 0), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::testing
