// The text tower against the reference outputs of clip.model.CLIP.encode_text.
#include <gtest/gtest.h>

#include "tests/nets/clip/clip_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::testing {
namespace {

constexpr double kRel = 1e-4;  // README: single float32 network

class ClipTextTest : public ::testing::Test {
 protected:
  void SetUp() override { DELTAEDIT_REQUIRE_FIXTURES(); }
};

TEST_F(ClipTextTest, EotPositionIsTheFirstLargestId) {
  const auto expected = json_int_array(read_text(fixture("clip/text_features.json")),
                                       "eot_position");
  auto pos = nets::ClipModelImpl::eot_positions(fixture_npy("clip/text_tokens.npy"));
  ASSERT_EQ(pos.numel(), static_cast<int64_t>(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(pos[i].item<int64_t>(), expected[i]) << "prompt " << i;
}

TEST_F(ClipTextTest, LnFinalMatchesReference) {
  torch::NoGradGuard no_grad;
  auto out = fixture_clip()->text_ln_final(fixture_npy("clip/text_tokens.npy"));
  EXPECT_CLOSE_TO_REF(out, fixture_npy("clip/text_ln_final.npy"), kRel);
}

TEST_F(ClipTextTest, FeaturesMatchReferenceFullLength) {
  torch::NoGradGuard no_grad;
  auto out = fixture_clip()->encode_text(fixture_npy("clip/text_tokens.npy"), false);
  EXPECT_CLOSE_TO_REF(out, fixture_npy("clip/text_features.npy"), kRel);
}

TEST_F(ClipTextTest, FeaturesMatchReferenceCutAfterEot) {
  torch::NoGradGuard no_grad;
  auto out = fixture_clip()->encode_text(fixture_npy("clip/text_tokens.npy"));  // default: cut
  EXPECT_CLOSE_TO_REF(out, fixture_npy("clip/text_features.npy"), kRel);
}

// Cutting is exact up to float summation order: compare the two paths with each other far
// below the reference tolerance, also for single prompts (each cut at its own EOT).
TEST_F(ClipTextTest, CutEqualsFullLength) {
  torch::NoGradGuard no_grad;
  auto ids = fixture_npy("clip/text_tokens.npy");
  auto full = fixture_clip()->encode_text(ids, false);
  auto cut = fixture_clip()->encode_text(ids, true);
  const double scale = std::max(1.0, full.abs().max().item<double>());
  EXPECT_LE(max_abs_diff(cut, full), 1e-6 * scale);
  for (int64_t i = 0; i < ids.size(0); ++i) {
    auto one = fixture_clip()->encode_text(ids.slice(0, i, i + 1), true);
    EXPECT_LE(max_abs_diff(one, full.slice(0, i, i + 1)), 1e-6 * scale) << "prompt " << i;
  }
}

TEST_F(ClipTextTest, RejectsBadIds) {
  torch::NoGradGuard no_grad;
  auto& clip = fixture_clip();
  EXPECT_THROW(clip->encode_text(torch::zeros({1, clip->context_length() + 1}, torch::kInt64)),
               std::invalid_argument);
  EXPECT_THROW(clip->encode_text(torch::full({1, 4}, clip->vocab_size(), torch::kInt64)),
               std::invalid_argument);
  EXPECT_THROW(clip->encode_text(torch::zeros({4}, torch::kInt64)), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::testing
