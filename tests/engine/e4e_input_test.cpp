// e4e_input_from_rgb8 against the reference transform (PIL Resize(256) + Normalize) on the
// fixture PNGs. Lives with the engine tests because decoding a PNG needs OpenCV.
#include <string>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/nets/e4e/e4e_input.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::nets {
namespace {

// PNG -> [H, W, 3] uint8 RGB.
torch::Tensor read_rgb8(const std::string& relative) {
  cv::Mat bgr = cv::imread(testing::fixture(relative).string(), cv::IMREAD_COLOR);
  if (bgr.empty()) ADD_FAILURE() << "cannot read " << relative;
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
}

TEST(E4eInputPng, Input256IsNormalisedExactly) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto x = e4e_input_from_rgb8(read_rgb8("e4e/input.png"));
  const auto ref = testing::fixture_npy("e4e/input.npy");
  ASSERT_EQ(x.sizes(), ref.sizes());
  EXPECT_EQ(testing::max_abs_diff(x, ref), 0.0);
}

TEST(E4eInputPng, Input1024IsResizedLikePil) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto x = e4e_input_from_rgb8(read_rgb8("e4e/input_1024.png"));
  const auto ref = testing::fixture_npy("e4e/input_1024_resized.npy");
  ASSERT_EQ(x.sizes(), ref.sizes());
  // Pillow's fixed-point resampling reproduced bit for bit: every uint8 value equal.
  EXPECT_EQ(testing::max_abs_diff(x, ref), 0.0);
}

}  // namespace
}  // namespace deltaedit::nets
