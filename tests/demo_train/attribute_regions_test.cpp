// The pixel-loss weights that make the small attributes count: where the mouth, glasses, beard
// and eyes are drawn, not the background; softer over the dataset's varied poses; mean 1.
#include <gtest/gtest.h>

#include "core/demo_train/attribute_regions.h"

namespace deltaedit::demo_train {
namespace {

int64_t pixels_above(const torch::Tensor& map, double level) {
  return (map > level).sum().item<int64_t>();
}

TEST(AttributeRegions, MapMarksTheFaceFeaturesNotTheBackground) {
  const torch::Tensor map = attribute_region_map(64, RegionPose::kNeutral, 64, 1);
  ASSERT_EQ(map.sizes(), (std::vector<int64_t>{64, 64}));
  EXPECT_FLOAT_EQ(map.max().item<float>(), 1.0f);
  EXPECT_GE(map.min().item<float>(), 0.0f);
  // The four 8x8 corners are background: nothing there changes with these attributes.
  for (const auto& [r, c] : {std::pair{0, 0}, {0, 56}, {56, 0}, {56, 56}})
    EXPECT_LT(map.slice(0, r, r + 8).slice(1, c, c + 8).max().item<float>(), 0.02) << r << "," << c;
  // The features are a small part of the portrait, all inside the face (the central columns).
  const int64_t marked = pixels_above(map, 0.25);
  EXPECT_GT(marked, 64 * 64 / 100);
  EXPECT_LT(marked, 64 * 64 / 4);
  const torch::Tensor columns = (map > 0.25).any(0).nonzero();
  EXPECT_GE(columns.min().item<int64_t>(), 12);
  EXPECT_LT(columns.max().item<int64_t>(), 52);
  // The same map for the same seed.
  EXPECT_TRUE(torch::equal(map, attribute_region_map(64, RegionPose::kNeutral, 64, 1)));
}

TEST(AttributeRegions, DatasetPosesGiveASofterMap) {
  const torch::Tensor neutral = attribute_region_map(64, RegionPose::kNeutral, 64, 2);
  const torch::Tensor posed = attribute_region_map(64, RegionPose::kDataset, 64, 2);
  EXPECT_GT(pixels_above(posed, 0.1), pixels_above(neutral, 0.1));
}

TEST(AttributeRegions, LossWeightsHaveMeanOneAndFollowTheMap) {
  const torch::Tensor ones = attribute_loss_weights(32, RegionPose::kNeutral, 0);
  EXPECT_TRUE(torch::equal(ones, torch::ones({1, 1, 32, 32})));
  const torch::Tensor w = attribute_loss_weights(32, RegionPose::kNeutral, 10);
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{1, 1, 32, 32}));
  EXPECT_NEAR(w.mean().item<double>(), 1.0, 1e-5);
  // 1 + 10 x map, rescaled: the most marked pixel weighs 11 times the background.
  EXPECT_NEAR(w.max().item<double>() / w.min().item<double>(), 11.0, 0.05);
  EXPECT_THROW(attribute_loss_weights(32, RegionPose::kNeutral, -1), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::demo_train
