// Slider previews interpolated along the strength: the cache's rules on synthetic images, and on
// the fixture models how close an interpolated preview comes to the exact render.
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/engine/strength_preview_cache.h"
#include "tests/engine/engine_fixture.h"
#include "tests/support/fixtures.h"

namespace deltaedit::engine {
namespace {

// A smooth "render" along the strength: quadratic in alpha, so the quadratic rule is exact.
torch::Tensor quadratic_image(double a) {
  torch::manual_seed(3);
  const auto A = torch::rand({1, 3, 8, 8}), B = torch::rand({1, 3, 8, 8}), C = torch::rand({1, 3, 8, 8});
  return A + a * B + a * a * C;
}

TEST(StrengthPreviewCache, InterpolatesOnlyBetweenCachedNeighbours) {
  StrengthPreviewCache cache(0.25);
  cache.use_line("photo+edit");
  EXPECT_FALSE(cache.interpolate(0.6).has_value());
  cache.add(0.5, quadratic_image(0.5));
  EXPECT_FALSE(cache.interpolate(0.6).has_value());  // 0.75 missing
  cache.add(0.75, quadratic_image(0.75));
  // Two neighbours only: linear.
  const auto linear = cache.interpolate(0.6);
  ASSERT_TRUE(linear.has_value());
  const double t = (0.6 - 0.5) / 0.25;
  EXPECT_TRUE(torch::allclose(*linear, quadratic_image(0.5) * (1 - t) + quadratic_image(0.75) * t, 1e-6, 1e-6));
  EXPECT_FALSE(torch::allclose(*linear, quadratic_image(0.6), 1e-3, 1e-3));
  // A third point makes it quadratic, exact for this image.
  cache.add(0.25, quadratic_image(0.25));
  EXPECT_TRUE(torch::allclose(*cache.interpolate(0.6), quadratic_image(0.6), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(*cache.interpolate(0.7), quadratic_image(0.7), 1e-5, 1e-5));
  // An anchor itself comes back unchanged.
  EXPECT_TRUE(torch::equal(*cache.interpolate(0.5), quadratic_image(0.5)));
}

TEST(StrengthPreviewCache, KeepsOnlyGridStrengthsOfOneLine) {
  StrengthPreviewCache cache(0.25, 4);
  cache.use_line("a");
  cache.add(0.3, quadratic_image(0.3));  // off the grid: ignored
  EXPECT_EQ(cache.size(), 0u);
  for (double a : {-0.5, -0.25, 0.0, 0.25, 0.5, 0.75}) cache.add(a, quadratic_image(a));
  EXPECT_EQ(cache.size(), 4u);  // the farthest from the last one added went first
  EXPECT_FALSE(cache.interpolate(-0.5).has_value());
  EXPECT_TRUE(cache.interpolate(0.75).has_value());
  cache.use_line("a");  // same line: kept
  EXPECT_EQ(cache.size(), 4u);
  cache.use_line("b");  // another photo, edit or resolution: dropped
  EXPECT_EQ(cache.size(), 0u);
}

TEST(StrengthPreviewCache, PrefetchOrderIsNearestFirst) {
  StrengthPreviewCache cache(0.25);
  cache.use_line("a");
  EXPECT_DOUBLE_EQ(*cache.next_missing(0.6), 0.5);  // 0.6 is nearer 0.5 than 0.75
  cache.add(0.5, quadratic_image(0.5));
  EXPECT_DOUBLE_EQ(*cache.next_missing(0.6), 0.75);
  cache.add(0.75, quadratic_image(0.75));
  EXPECT_DOUBLE_EQ(*cache.next_missing(0.6), 0.25);
  for (double a : {0.25, 1.0, 0.0, 1.25}) cache.add(a, quadratic_image(a));
  EXPECT_FALSE(cache.next_missing(0.6, 2).has_value());
  EXPECT_DOUBLE_EQ(*cache.next_missing(0.6, 3), -0.25);
}

double psnr(const torch::Tensor& a, const torch::Tensor& b) {  // images in [-1, 1]
  const double mse = (a - b).pow(2).mean().item<double>();
  return 10 * std::log10(4.0 / mse);
}

TEST(StrengthPreview, InterpolatedPreviewIsCloseToTheExactRender) {
  DELTAEDIT_REQUIRE_FIXTURES();
  EditEngine& engine = *testing::fixture_engine();
  EditSession session = engine.open_photo(testing::fixture("e4e/input.png"), OpenOptions{.aligned = true});
  session.edits = {EditStep{"face", "face with smile", 0.6, 0.03}};
  const int64_t r = 32;
  bool interpolated = true;
  const torch::Tensor first = engine.strength_preview_tensor(session, r, &interpolated);
  EXPECT_FALSE(interpolated);  // nothing cached yet: rendered exactly
  const torch::Tensor exact = engine.render_tensor(session, engine.edited_s(session), r);
  EXPECT_TRUE(torch::allclose(first, exact, 1e-6, 1e-6));
  int pieces = 0;
  while (engine.prefetch_strength_preview(session, r)) ++pieces;
  EXPECT_EQ(pieces, 6);  // 0.5, 0.75, 0.25, 1.0, 0.0, 1.25
  const torch::Tensor approx = engine.strength_preview_tensor(session, r, &interpolated);
  EXPECT_TRUE(interpolated);
  EXPECT_FALSE(torch::equal(approx, exact));
  const double db = psnr(approx, exact);
  RecordProperty("psnr_db", std::to_string(db));
  std::printf("interpolated preview at alpha 0.6 vs exact: PSNR %.1f dB\n", db);
  EXPECT_GT(db, 35.0);
}

}  // namespace
}  // namespace deltaedit::engine
