// The renderer: deterministic, and every named attribute changes the picture where it should,
// the way its name says, and nowhere else.
#include "core/demo/portrait_renderer.h"

#include <gtest/gtest.h>

#include <random>

#include "core/demo/demo_random.h"
#include "tests/demo/demo_test_support.h"

namespace deltaedit::demo {
namespace {

using testing::luminance;
using testing::mean_rgb;
using testing::nearest;
using testing::pixels;
using testing::region_change;

constexpr int kSize = 128;

// A neutral face with no pose jitter, so canonical_regions() are exact.
FaceAttributes neutral() {
  FaceAttributes a;
  a.smile = 0.0f;
  a.hair_colour = HairColour::kBrown;
  a.hair_length = 0.1f;
  a.skin_tone = 0.3f;
  a.eye_size = 0.5f;
  a.background = Background::kBlue;
  return a;
}

bool identical(const cv::Mat& a, const cv::Mat& b) {
  return a.size() == b.size() && a.type() == b.type() && cv::norm(a, b, cv::NORM_INF) == 0;
}

TEST(PortraitRenderer, SameAttributesGiveIdenticalBytes) {
  for (uint64_t seed : {1u, 2u, 3u}) {
    std::mt19937_64 r1(seed), r2(seed);
    const cv::Mat a = render_face(sample_attributes(r1), 64);
    const cv::Mat b = render_face(sample_attributes(r2), 64);
    ASSERT_EQ(a.type(), CV_8UC3);
    ASSERT_EQ(a.rows, 64);
    ASSERT_EQ(a.cols, 64);
    EXPECT_TRUE(identical(a, b)) << "seed " << seed;
  }
  std::mt19937_64 r1(1), r2(2);
  EXPECT_FALSE(
      identical(render_face(sample_attributes(r1), 64), render_face(sample_attributes(r2), 64)));
}

TEST(PortraitRenderer, RejectsAbsurdSizes) {
  EXPECT_THROW(render_face(neutral(), 8), std::invalid_argument);
  EXPECT_THROW(render_face(neutral(), 4096), std::invalid_argument);
}

TEST(PortraitRenderer, GlassesChangeTheEyesOnly) {
  const FaceRegions r = canonical_regions();
  FaceAttributes with = neutral();
  with.eyeglasses = true;
  for (int style : {0, 1}) {
    with.nuisance.glasses_style = style;
    const cv::Mat a = render_face(neutral(), kSize), b = render_face(with, kSize);
    EXPECT_GT(region_change(a, b, r.eyes), 8.0) << "style " << style;
    EXPECT_EQ(region_change(a, b, r.mouth), 0.0);
    EXPECT_EQ(region_change(a, b, r.corner), 0.0);
  }
}

// Vertical centre of the dark lip pixels in a band of columns of the mouth region.
double lip_height(const cv::Mat& img, const cv::Rect2d& mouth, double from, double to) {
  const cv::Rect r = pixels(mouth, img.cols);
  double sum = 0, n = 0;
  for (int y = r.y; y < r.y + r.height; ++y)
    for (int x = r.x + cvRound(from * r.width); x < r.x + cvRound(to * r.width); ++x) {
      const cv::Vec3b p = img.at<cv::Vec3b>(y, x);
      // Lips are redder than skin: red clearly above green.
      if (p[2] - p[1] > 60) sum += y, n += 1;
    }
  return n > 0 ? sum / n : -1;
}

TEST(PortraitRenderer, SmileBendsTheMouthTheRightWay) {
  const FaceRegions r = canonical_regions();
  const cv::Mat base = render_face(neutral(), kSize);
  for (float smile : {-1.0f, 0.6f, 1.0f}) {
    FaceAttributes a = neutral();
    a.smile = smile;
    const cv::Mat img = render_face(a, kSize);
    EXPECT_GT(region_change(base, img, r.mouth), 3.0) << "smile " << smile;
    EXPECT_EQ(region_change(base, img, r.corner), 0.0);
    EXPECT_EQ(region_change(base, img, r.hair_top), 0.0);
    // Corners above the centre when smiling, below it when frowning (image y grows down).
    const double corners =
        (lip_height(img, r.mouth, 0.0, 0.3) + lip_height(img, r.mouth, 0.7, 1.0)) / 2;
    const double centre = lip_height(img, r.mouth, 0.4, 0.6);
    ASSERT_GT(corners, 0);
    ASSERT_GT(centre, 0);
    if (smile > 0) {
      EXPECT_LT(corners, centre - 1.0) << "smile " << smile;
    } else {
      EXPECT_GT(corners, centre + 1.0) << "smile " << smile;
    }
  }
}

TEST(PortraitRenderer, BroadSmileOpensTheMouth) {
  const FaceRegions r = canonical_regions();
  auto white_teeth = [&](float smile) {
    FaceAttributes a = neutral();
    a.smile = smile;
    const cv::Mat img = render_face(a, kSize);
    cv::Mat white;
    cv::inRange(img(pixels(r.mouth, kSize)), cv::Scalar(225, 225, 225), cv::Scalar(255, 255, 255),
                white);
    return cv::countNonZero(white);
  };
  EXPECT_EQ(white_teeth(0.0f), 0);
  EXPECT_GT(white_teeth(1.0f), 10);
}

TEST(PortraitRenderer, HairColourMovesTheHairTowardsItsName) {
  // What the colour words mean (RGB), independent of the renderer's palette.
  const std::array<cv::Vec3d, kHairColourCount> meaning = {
      cv::Vec3d(20, 20, 20),  cv::Vec3d(110, 70, 40),   cv::Vec3d(240, 210, 130),
      cv::Vec3d(200, 60, 30), cv::Vec3d(170, 170, 170), cv::Vec3d(40, 90, 220)};
  const FaceRegions r = canonical_regions();
  const cv::Mat base = render_face(neutral(), kSize);
  for (int c = 0; c < kHairColourCount; ++c) {
    FaceAttributes a = neutral();
    a.hair_colour = static_cast<HairColour>(c);
    const cv::Mat img = render_face(a, kSize);
    EXPECT_EQ(nearest(mean_rgb(img, r.hair_top), meaning), static_cast<size_t>(c))
        << name_of(a.hair_colour);
    EXPECT_EQ(region_change(base, img, r.mouth), 0.0);
    EXPECT_EQ(region_change(base, img, r.corner), 0.0);
  }
}

TEST(PortraitRenderer, LongerHairCoversTheSidesOfTheFace) {
  const FaceRegions r = canonical_regions();
  FaceAttributes short_hair = neutral(), long_hair = neutral();
  short_hair.hair_length = 0.1f;
  long_hair.hair_length = 0.9f;
  const cv::Mat s = render_face(short_hair, kSize), l = render_face(long_hair, kSize);
  const cv::Vec3d hair = mean_rgb(s, r.hair_top);
  const cv::Vec3d background = mean_rgb(s, r.corner);
  // Short: the side shows the (blue) background; long: the (brown) hair.
  EXPECT_LT(cv::norm(mean_rgb(s, r.hair_side) - background), 40.0);
  EXPECT_LT(cv::norm(mean_rgb(l, r.hair_side) - hair), 40.0);
  EXPECT_EQ(region_change(s, l, r.mouth), 0.0);
}

TEST(PortraitRenderer, BeardCoversTheChinNotTheEyes) {
  const FaceRegions r = canonical_regions();
  FaceAttributes a = neutral();
  a.beard = true;
  const cv::Mat base = render_face(neutral(), kSize), img = render_face(a, kSize);
  EXPECT_GT(region_change(base, img, r.chin), 20.0);
  EXPECT_EQ(region_change(base, img, r.eyes), 0.0);
  EXPECT_EQ(region_change(base, img, r.corner), 0.0);
  // Brown hair, brown beard: the chin turns darker than the light skin.
  EXPECT_LT(luminance(mean_rgb(img, r.chin)), luminance(mean_rgb(base, r.chin)) - 40);
}

TEST(PortraitRenderer, SkinToneDarkensTheSkin) {
  const FaceRegions r = canonical_regions();
  double previous = 256;
  for (float tone : {0.0f, 0.5f, 1.0f}) {
    FaceAttributes a = neutral();
    a.skin_tone = tone;
    const cv::Mat img = render_face(a, kSize);
    const double l = luminance(mean_rgb(img, r.chin));
    EXPECT_LT(l, previous - 20) << "tone " << tone;
    previous = l;
    EXPECT_EQ(region_change(render_face(neutral(), kSize), img, r.corner), 0.0);
  }
}

TEST(PortraitRenderer, EyeSizeShowsMoreEyeWhite) {
  const FaceRegions r = canonical_regions();
  auto eye_white = [&](float size) {
    FaceAttributes a = neutral();
    a.eye_size = size;
    cv::Mat white;
    cv::inRange(render_face(a, kSize)(pixels(r.eyes, kSize)), cv::Scalar(235, 235, 235),
                cv::Scalar(255, 255, 255), white);
    return cv::countNonZero(white);
  };
  const int small = eye_white(0.0f), mid = eye_white(0.5f), big = eye_white(1.0f);
  EXPECT_LT(small * 1.3, mid);
  EXPECT_LT(mid * 1.3, big);
}

TEST(PortraitRenderer, BackgroundColourFillsTheCorners) {
  const std::array<cv::Vec3d, kBackgroundCount> meaning = {
      cv::Vec3d(240, 240, 240), cv::Vec3d(100, 150, 230), cv::Vec3d(110, 200, 110),
      cv::Vec3d(250, 220, 90),  cv::Vec3d(250, 170, 200), cv::Vec3d(160, 110, 215),
      cv::Vec3d(250, 150, 70)};
  const FaceRegions r = canonical_regions();
  const cv::Mat base = render_face(neutral(), kSize);
  for (int b = 0; b < kBackgroundCount; ++b) {
    FaceAttributes a = neutral();
    a.background = static_cast<Background>(b);
    const cv::Mat img = render_face(a, kSize);
    EXPECT_EQ(nearest(mean_rgb(img, r.corner), meaning), static_cast<size_t>(b))
        << name_of(a.background);
    EXPECT_EQ(region_change(base, img, r.eyes), 0.0);
  }
}

TEST(PortraitRenderer, NuisanceMovesTheFace) {
  FaceAttributes a = neutral();
  a.nuisance.head_roll_deg = 6.0f;
  a.nuisance.head_x = 0.03f;
  const FaceRegions r = canonical_regions();
  const cv::Mat base = render_face(neutral(), kSize), moved = render_face(a, kSize);
  EXPECT_GT(region_change(base, moved, r.eyes), 5.0);
  EXPECT_EQ(region_change(base, moved, r.corner), 0.0);
}

}  // namespace
}  // namespace deltaedit::demo
