#include "core/nets/mapper/relevance_mask.h"

#include <gtest/gtest.h>

#include "tests/nets/mapper/mini_json.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::nets {
namespace {

using testing::fixture;
using testing::fixture_npy;

double pipeline_threshold() {
  return testing::mini_json::number(testing::read_text(fixture("pipeline/config.json")),
                                    "threshold");
}

TEST(RelevanceMask, RelevanceUsesRawDelta) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto fs3 = fixture_npy("pipeline/fs3.npy");
  const auto dt_raw = fixture_npy("pipeline/dt_raw.npy");
  const auto ref = fixture_npy("pipeline/relevance.npy");
  ASSERT_EQ(dt_raw.size(0), ref.size(0));
  for (int64_t t = 0; t < dt_raw.size(0); ++t)
    EXPECT_CLOSE_TO_REF(relevance(fs3, dt_raw[t]), ref[t], 1e-4) << "target " << t;
}

TEST(RelevanceMask, KeepMaskIsExactComplementOfSelection) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto fs3 = fixture_npy("pipeline/fs3.npy");
  const auto dt_raw = fixture_npy("pipeline/dt_raw.npy");
  const auto select = fixture_npy("pipeline/select_mask.npy");  // uint8, 1 = zeroed
  const double beta = pipeline_threshold();
  EXPECT_DOUBLE_EQ(beta, 0.03);
  for (int64_t t = 0; t < dt_raw.size(0); ++t) {
    const auto keep = keep_mask(fs3, dt_raw[t], beta);
    ASSERT_EQ(keep.scalar_type(), torch::kBool);
    ASSERT_EQ(keep.sizes(), select[t].sizes());
    EXPECT_TRUE(torch::equal(keep, select[t] == 0)) << "target " << t;
  }
}

TEST(RelevanceMask, MaskedDeltaMatchesImprovedDs) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto fs3 = fixture_npy("pipeline/fs3.npy");
  const auto dt_raw = fixture_npy("pipeline/dt_raw.npy");
  const auto raw = fixture_npy("pipeline/delta_s_raw.npy");
  const auto ref = fixture_npy("pipeline/delta_s.npy");
  for (int64_t t = 0; t < dt_raw.size(0); ++t) {
    const auto keep = keep_mask(fs3, dt_raw[t], pipeline_threshold());
    const auto masked = mask_delta_s(raw[t].unsqueeze(0), keep);
    EXPECT_TRUE(torch::equal(masked, ref[t].unsqueeze(0))) << "target " << t;
    // Some channels are really dropped and some kept.
    EXPECT_GT((masked == 0).sum().item<int64_t>(), 0);
    EXPECT_GT((masked != 0).sum().item<int64_t>(), 0);
  }
}

TEST(RelevanceMask, MaskAppliesToEveryBatchRow) {
  const auto keep = torch::tensor({true, false, true});
  const auto d = torch::tensor({{1.f, 2.f, 3.f}, {4.f, 5.f, 6.f}});
  EXPECT_TRUE(
      torch::equal(mask_delta_s(d, keep), torch::tensor({{1.f, 0.f, 3.f}, {4.f, 0.f, 6.f}})));
}

TEST(RelevanceMask, RejectsMismatchedShapes) {
  EXPECT_THROW(relevance(torch::zeros({5, 4}), torch::zeros({3})), std::invalid_argument);
  EXPECT_THROW(mask_delta_s(torch::zeros({1, 5}), torch::ones({4}, torch::kBool)),
               std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::nets
