// FFHQ alignment: canonical eye positions (checked by re-detection), agreement of the pixels with
// the returned transform, known similarity transforms, the shrink path and pre-aligned inputs.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <opencv2/imgproc.hpp>

#include "core/face/ffhq_align.h"
#include "tests/face/face_test_support.h"

namespace deltaedit::face {
namespace {

using testing::AstronautTest;
using testing::landmark_mean;

cv::Point2d apply(const cv::Matx33d& m, cv::Point2d p) {
  const cv::Vec3d r = m * cv::Vec3d(p.x, p.y, 1.0);
  return {r[0], r[1]};
}

class FfhqAlign : public AstronautTest {
 protected:
  void SetUp() override {
    AstronautTest::SetUp();
    if (IsSkipped()) return;
    const auto faces = detect_faces(astronaut_);
    ASSERT_FALSE(faces.empty());
    face_ = faces[0];
  }
  DetectedFace face_;
};

TEST_F(FfhqAlign, QuadCornersAndCentreMapToTheSquare) {
  const Quad quad = ffhq_quad(face_.landmarks);
  const cv::Matx33d m = photo_to_square(quad, 1024);
  const cv::Point2d expected[4] = {{-0.5, -0.5}, {-0.5, 1023.5}, {1023.5, 1023.5}, {1023.5, -0.5}};
  for (int i = 0; i < 4; ++i) EXPECT_LT(cv::norm(apply(m, quad.corners[i]) - expected[i]), 1e-9);
  // FFHQ's centre c = eye_avg + 0.1 * eye_to_mouth lands in the middle of the image.
  const Landmarks& lm = face_.landmarks;
  const cv::Point2d eye_avg = (landmark_mean(lm, 36, 42) + landmark_mean(lm, 42, 48)) * 0.5;
  const cv::Point2d c = eye_avg + ((lm[48] + lm[54]) * 0.5 - eye_avg) * 0.1;
  EXPECT_LT(cv::norm(apply(m, c) - cv::Point2d(511.5, 511.5)), 1e-9);
  // The quad is a square of side max(2 |e2e|, 1.8 |e2m|) * 2.
  const double e2e = cv::norm(landmark_mean(lm, 42, 48) - landmark_mean(lm, 36, 42));
  const double e2m = cv::norm((lm[48] + lm[54]) * 0.5 - eye_avg);
  EXPECT_NEAR(quad.side(), 2 * std::max(2 * e2e, 1.8 * e2m), 1e-9);
  EXPECT_NEAR(cv::norm(quad.corners[1] - quad.corners[0]), quad.side(), 1e-9);
  EXPECT_NEAR((quad.corners[1] - quad.corners[0]).dot(quad.corners[3] - quad.corners[0]), 0, 1e-6);
}

TEST_F(FfhqAlign, RedetectedEyesSitWhereTheGeometrySaysAt1024) {
  const auto start = std::chrono::steady_clock::now();
  const AlignedFace aligned = align_face(astronaut_, face_);
  std::cout << "[ measure  ] align_face 1024 on astronaut: "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count()
            << " s (quad side " << aligned.quad.side() << " px)\n";
  ASSERT_EQ(aligned.image.width(), 1024);
  ASSERT_EQ(aligned.image.height(), 1024);
  ASSERT_EQ(aligned.image.pixels.type(), CV_8UC3);

  const Landmarks& lm = face_.landmarks;
  const cv::Point2d want_right = apply(aligned.photo_to_aligned, landmark_mean(lm, 36, 42));
  const cv::Point2d want_left = apply(aligned.photo_to_aligned, landmark_mean(lm, 42, 48));
  // FFHQ canonical layout: eyes level-ish, symmetric about the vertical centre line.
  EXPECT_NEAR((want_right.x + want_left.x) / 2, 511.5, 40);
  EXPECT_NEAR(want_right.y, want_left.y, 40);

  const auto again = detect_faces(aligned.image);
  ASSERT_EQ(again.size(), 1u);
  const cv::Point2d got_right = landmark_mean(again[0].landmarks, 36, 42);
  const cv::Point2d got_left = landmark_mean(again[0].landmarks, 42, 48);
  std::cout << "[ measure  ] aligned eyes expected " << want_right << " " << want_left
            << ", re-detected " << got_right << " " << got_left << "\n";
  // The photo is magnified ~1024 / quad side here, so one photo pixel of landmark noise is
  // several aligned pixels: allow 1% of the output size.
  EXPECT_LT(cv::norm(got_right - want_right), 10.24);
  EXPECT_LT(cv::norm(got_left - want_left), 10.24);
}

TEST_F(FfhqAlign, PixelsFollowTheReturnedTransform) {
  const AlignedFace aligned = align_face(astronaut_, face_, {.output_size = 256});
  // Plain bilinear warp with the returned transform; compare where it reads real photo pixels.
  cv::Mat direct;
  cv::warpAffine(astronaut_.pixels, direct, cv::Mat(aligned.photo_to_aligned).rowRange(0, 2),
                 cv::Size(256, 256), cv::INTER_LINEAR, cv::BORDER_CONSTANT);
  const cv::Matx33d to_photo = aligned.aligned_to_photo();
  double sum = 0;
  int count = 0;
  for (int v = 0; v < 256; ++v)
    for (int u = 0; u < 256; ++u) {
      const cv::Point2d p = apply(to_photo, cv::Point2d(u, v));
      if (p.x < 4 || p.y < 4 || p.x > astronaut_.width() - 5 || p.y > astronaut_.height() - 5)
        continue;
      sum += cv::norm(cv::Vec3d(aligned.image.pixels.at<cv::Vec3b>(v, u)) -
                          cv::Vec3d(direct.at<cv::Vec3b>(v, u)),
                      cv::NORM_L1) /
             3;
      ++count;
    }
  ASSERT_GT(count, 256 * 256 / 2);
  EXPECT_LT(sum / count, 3.0);  // only resampling differences remain
}

TEST_F(FfhqAlign, KnownSimilarityTransformMovesTheQuadAlong) {
  // Rotate by 12 degrees and scale by 1.3 about the face, into a larger canvas.
  const double angle = 12, scale = 1.3;
  cv::Mat t = cv::getRotationMatrix2D(cv::Point2f(256, 256), angle, scale);
  t.at<double>(0, 2) += 100;
  t.at<double>(1, 2) += 120;
  cv::Mat moved;
  cv::warpAffine(astronaut_.pixels, moved, t, cv::Size(900, 900), cv::INTER_LINEAR,
                 cv::BORDER_REFLECT);
  const auto faces = detect_faces(RgbImage{moved});
  ASSERT_FALSE(faces.empty());
  const Quad original = ffhq_quad(face_.landmarks);
  const Quad recovered = ffhq_quad(faces[0].landmarks);
  const cv::Matx33d t33(t.at<double>(0, 0), t.at<double>(0, 1), t.at<double>(0, 2),
                        t.at<double>(1, 0), t.at<double>(1, 1), t.at<double>(1, 2), 0, 0, 1);
  // Landmark noise of a couple of pixels moves corners by a few % of the side.
  for (int i = 0; i < 4; ++i) {
    const double error = cv::norm(recovered.corners[i] - apply(t33, original.corners[i]));
    EXPECT_LT(error, 0.04 * recovered.side()) << "corner " << i;
  }
  EXPECT_NEAR(recovered.side() / original.side(), scale, 0.04 * scale);
  const cv::Point2d edge = recovered.corners[3] - recovered.corners[0];
  const cv::Point2d edge0 = original.corners[3] - original.corners[0];
  const double turned = (std::atan2(edge.y, edge.x) - std::atan2(edge0.y, edge0.x)) * 180 / CV_PI;
  EXPECT_NEAR(turned, -angle, 2.0);  // OpenCV's positive angle turns counter-clockwise
}

TEST_F(FfhqAlign, ShrinkAndSupersamplingMatchAnAreaResizeOfTheLargeOutput) {
  // At 32 px the quad is several times the output: the shrink + supersampling path runs.
  const AlignedFace small = align_face(astronaut_, face_, {.output_size = 32});
  const AlignedFace large = align_face(astronaut_, face_, {.output_size = 1024});
  ASSERT_GT(small.quad.side(), 4 * 32);  // shrink = floor(side / 32 / 2) >= 2
  cv::Mat reduced;
  cv::resize(large.image.pixels, reduced, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
  cv::Mat diff;
  cv::absdiff(reduced, small.image.pixels, diff);
  const cv::Scalar mean = cv::mean(diff);
  EXPECT_LT((mean[0] + mean[1] + mean[2]) / 3, 4.0);
}

TEST(TreatAsAligned, ResizesAndUsesTheWholeImageAsQuad) {
  cv::Mat img(300, 300, CV_8UC3);
  cv::randu(img, 0, 255);
  const AlignedFace a = treat_as_aligned(RgbImage{img}, 1024);
  ASSERT_EQ(a.image.width(), 1024);
  EXPECT_LT(cv::norm(a.quad.corners[0] - cv::Point2d(-0.5, -0.5)), 1e-12);
  EXPECT_LT(cv::norm(a.quad.corners[2] - cv::Point2d(299.5, 299.5)), 1e-12);
  EXPECT_LT(cv::norm(apply(a.photo_to_aligned, {299.5, 299.5}) - cv::Point2d(1023.5, 1023.5)),
            1e-9);
  EXPECT_LT(cv::norm(apply(a.photo_to_aligned, {149.5, 149.5}) - cv::Point2d(511.5, 511.5)), 1e-9);
}

}  // namespace
}  // namespace deltaedit::face
