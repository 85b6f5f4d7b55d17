// The image tower against the reference outputs of clip.model.CLIP.encode_image.
#include <gtest/gtest.h>

#include "core/nets/clip/clip_resample.h"
#include "tests/nets/clip/clip_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::testing {
namespace {

constexpr double kRel = 1e-4;  // README: single float32 network

class ClipImageTest : public ::testing::Test {
 protected:
  void SetUp() override { DELTAEDIT_REQUIRE_FIXTURES(); }
};

TEST_F(ClipImageTest, LnPreTokensMatchReference) {
  torch::NoGradGuard no_grad;
  auto out = fixture_clip()->image_ln_pre(fixture_npy("clip/resized_224.npy"));
  EXPECT_CLOSE_TO_REF(out, fixture_npy("clip/image_ln_pre.npy"), kRel);
}

TEST_F(ClipImageTest, LnPostClassTokenMatchesReference) {
  torch::NoGradGuard no_grad;
  auto out = fixture_clip()->image_ln_post(fixture_npy("clip/resized_224.npy"));
  EXPECT_CLOSE_TO_REF(out, fixture_npy("clip/image_ln_post.npy"), kRel);
}

TEST_F(ClipImageTest, ImageFeaturesMatchReference) {
  torch::NoGradGuard no_grad;
  auto out = fixture_clip()->encode_image(fixture_npy("clip/resized_224.npy"));
  EXPECT_EQ(out.scalar_type(), torch::kFloat32);
  EXPECT_CLOSE_TO_REF(out, fixture_npy("clip/image_features.npy"), kRel);
}

// The e4e-input path end to end: 256 image -> resample (kernel 8) -> features.
TEST_F(ClipImageTest, FeaturesFromThe256InputThroughResampling) {
  torch::NoGradGuard no_grad;
  auto input = fixture_npy("clip/clip_input_256.npy");
  auto out = fixture_clip()->encode_image(
      nets::deltaedit_resample(input, nets::deltaedit_resample_kernel(input.size(2))));
  EXPECT_CLOSE_TO_REF(out, fixture_npy("clip/image_features.npy"), kRel);
}

// Generator-sized images (generate_codes.py): kernel size/32 from image_cases.json.
class ClipGeneratorImageTest : public ClipImageTest {
 protected:
  torch::Tensor resampled() {
    auto input = fixture_npy("clip/gen_input.npy");
    const auto cases = read_text(fixture("clip/image_cases.json"));
    const int64_t kernel = json_int(cases.substr(cases.find("\"gen_input\"")), "kernel");
    EXPECT_EQ(kernel, nets::deltaedit_resample_kernel(input.size(2)));
    return nets::deltaedit_resample(input, kernel);
  }
};

TEST_F(ClipGeneratorImageTest, ResampledFirstImageMatchesReference) {
  auto out = resampled();
  ASSERT_EQ(out.size(0), 3);
  EXPECT_CLOSE_TO_REF(out.slice(0, 0, 1), fixture_npy("clip/gen_resized_224.npy"), kRel);
}

TEST_F(ClipGeneratorImageTest, LnPreMatchesReference) {
  torch::NoGradGuard no_grad;
  EXPECT_CLOSE_TO_REF(fixture_clip()->image_ln_pre(resampled()),
                      fixture_npy("clip/gen_image_ln_pre.npy"), kRel);
}

TEST_F(ClipGeneratorImageTest, LnPostMatchesReference) {
  torch::NoGradGuard no_grad;
  EXPECT_CLOSE_TO_REF(fixture_clip()->image_ln_post(resampled()),
                      fixture_npy("clip/gen_image_ln_post.npy"), kRel);
}

TEST_F(ClipGeneratorImageTest, FeaturesMatchReference) {
  torch::NoGradGuard no_grad;
  EXPECT_CLOSE_TO_REF(fixture_clip()->encode_image(resampled()),
                      fixture_npy("clip/gen_image_features.npy"), kRel);
}

TEST_F(ClipImageTest, RejectsImagesOfTheWrongSize) {
  torch::NoGradGuard no_grad;
  EXPECT_THROW(fixture_clip()->encode_image(torch::zeros({1, 3, 256, 256})), std::invalid_argument);
  EXPECT_THROW(fixture_clip()->encode_image(torch::zeros({3, 224, 224})), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::testing
