// Paste-back: untouched outside the feathered quad (bit-identical), replaced inside, any edited
// size, and a 12000x9000 photo end to end.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/face/ffhq_align.h"
#include "core/face/image_io.h"
#include "core/face/paste_back.h"
#include "tests/face/face_test_support.h"

namespace deltaedit::face {
namespace {

using testing::AstronautTest;

// 255 where a pixel is within `grow` px of the quad, 0 elsewhere.
cv::Mat quad_mask(const Quad& quad, cv::Size size, int grow) {
  cv::Mat mask(size, CV_8U, cv::Scalar(0));
  std::vector<cv::Point> pts;
  for (const auto& p : quad.corners) pts.emplace_back(cvRound(p.x), cvRound(p.y));
  cv::fillConvexPoly(mask, pts, cv::Scalar(255));
  cv::dilate(mask, mask, cv::getStructuringElement(cv::MORPH_RECT, {2 * grow + 1, 2 * grow + 1}));
  return mask;
}

// Largest channel difference where mask == 0.
double max_diff_outside(const cv::Mat& a, const cv::Mat& b, const cv::Mat& mask) {
  cv::Mat outside;
  cv::bitwise_not(mask, outside);
  return cv::norm(a, b, cv::NORM_INF, outside);
}

// A square window at the quad centre, half the feathered-free interior.
cv::Rect centre_window(const AlignedFace& a, double fraction) {
  const cv::Point2d c = (a.quad.corners[0] + a.quad.corners[2]) * 0.5;
  const int half = static_cast<int>(a.quad.side() * fraction / 2);
  return {cvRound(c.x) - half, cvRound(c.y) - half, 2 * half + 1, 2 * half + 1};
}

double mean_abs_diff(const cv::Mat& a, const cv::Mat& b) {
  cv::Mat d;
  cv::absdiff(a, b, d);
  const cv::Scalar m = cv::mean(d);
  return (m[0] + m[1] + m[2]) / 3;
}

class PasteBack : public AstronautTest {
 protected:
  void SetUp() override {
    AstronautTest::SetUp();
    if (IsSkipped()) return;
    const auto faces = detect_faces(astronaut_);
    ASSERT_FALSE(faces.empty());
    aligned_ = align_face(astronaut_, faces[0]);
  }
  AlignedFace aligned_;
};

TEST_F(PasteBack, OutsideIsBitIdenticalInsideIsReplaced) {
  RgbImage edited;
  cv::bitwise_not(aligned_.image.pixels, edited.pixels);
  const RgbImage result = paste_back(astronaut_, aligned_, edited);

  const cv::Mat mask = quad_mask(aligned_.quad, astronaut_.pixels.size(), 2);
  ASSERT_GT(cv::countNonZero(mask), 0);
  ASSERT_LT(cv::countNonZero(mask), mask.total());  // there is an outside to check
  EXPECT_EQ(max_diff_outside(result.pixels, astronaut_.pixels, mask), 0.0);

  // Every changed pixel lies in the declared region.
  const cv::Rect region = paste_region(aligned_, astronaut_.pixels.size());
  cv::Mat changed;
  cv::compare(result.pixels.reshape(1), astronaut_.pixels.reshape(1), changed, cv::CMP_NE);
  changed = changed.reshape(3);
  cv::Mat any_changed;
  cv::transform(changed, any_changed, cv::Matx13f(1, 1, 1));
  const cv::Rect bounds = cv::boundingRect(any_changed);
  EXPECT_EQ(bounds & region, bounds);
  EXPECT_GT(bounds.area(), region.area() / 4);

  // In the middle the inverted face replaced the photo (up to resampling twice).
  const cv::Rect w = centre_window(aligned_, 0.4) & cv::Rect(0, 0, 512, 512);
  cv::Mat inverted;
  cv::bitwise_not(astronaut_.pixels(w), inverted);
  EXPECT_LT(mean_abs_diff(result.pixels(w), inverted), 12.0);
  EXPECT_GT(mean_abs_diff(result.pixels(w), astronaut_.pixels(w)), 40.0);
}

TEST_F(PasteBack, AnyEditedSizeLandsOnTheFace) {
  for (const int size : {64, 256, 1024}) {
    SCOPED_TRACE(size);
    // A constant face: the centre must be exactly that colour, the outside untouched.
    const RgbImage green{cv::Mat(size, size, CV_8UC3, cv::Scalar(0, 255, 0))};
    const RgbImage painted = paste_back(astronaut_, aligned_, green);
    const cv::Rect w = centre_window(aligned_, 0.5) & cv::Rect(0, 0, 512, 512);
    EXPECT_EQ(cv::norm(painted.pixels(w), cv::Mat(w.size(), CV_8UC3, cv::Scalar(0, 255, 0)),
                       cv::NORM_INF),
              0.0);
    const cv::Mat mask = quad_mask(aligned_.quad, astronaut_.pixels.size(), 2);
    EXPECT_EQ(max_diff_outside(painted.pixels, astronaut_.pixels, mask), 0.0);

    // The unedited face at this size goes back where it came from (a wrong scale would not).
    RgbImage same;
    cv::resize(aligned_.image.pixels, same.pixels, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    const RgbImage back = paste_back(astronaut_, aligned_, same);
    const double limit = size >= 256 ? 6.0 : 20.0;  // 64 px is a blurry copy of the face
    EXPECT_LT(mean_abs_diff(back.pixels(w), astronaut_.pixels(w)), limit);
  }
}

TEST_F(PasteBack, TreatAsAlignedRoundTrips) {
  const cv::Rect crop(150, 50, 256, 256);
  const RgbImage face{astronaut_.pixels(crop).clone()};
  const AlignedFace a = treat_as_aligned(face, 1024);
  const RgbImage back = paste_back(face, a, a.image);
  EXPECT_LT(mean_abs_diff(back.pixels, face.pixels), 2.0);
}

TEST(PasteBackLarge, TwelveByNineThousandPhotoLoadsAlignsAndPastes) {
  namespace fs = std::filesystem;
  const fs::path path = testing::scratch_dir("large") / "large.jpg";
  {
    cv::Mat bgr(9000, 12000, CV_8UC3);
    for (int y = 0; y < bgr.rows; ++y) {
      cv::Vec3b* row = bgr.ptr<cv::Vec3b>(y);
      for (int x = 0; x < bgr.cols; ++x)
        row[x] = cv::Vec3b(x * 255 / 12000, y * 255 / 9000, ((x / 300 + y / 300) % 2) * 200);
    }
    ASSERT_TRUE(cv::imwrite(path.string(), bgr, {cv::IMWRITE_JPEG_QUALITY, 90}));
  }
  const double rss_before = testing::peak_rss_mib();
  auto start = std::chrono::steady_clock::now();
  const auto seconds = [&] {
    const auto now = std::chrono::steady_clock::now();
    const double s = std::chrono::duration<double>(now - start).count();
    start = now;
    return s;
  };
  const RgbImage photo = load_photo(path);
  const double load_s = seconds();
  ASSERT_EQ(photo.width(), 12000);
  ASSERT_EQ(photo.height(), 9000);

  // Synthetic landmarks of a big face: eyes 1200 px apart, mouth 1300 px below them.
  Landmarks lm;
  lm.fill(cv::Point2d(6000, 4500));
  for (int i = 36; i < 42; ++i) lm[i] = cv::Point2d(5400 + (i - 38.5) * 40, 4000);
  for (int i = 42; i < 48; ++i) lm[i] = cv::Point2d(6600 + (i - 44.5) * 40, 4000);
  lm[48] = cv::Point2d(5600, 5300);
  lm[54] = cv::Point2d(6400, 5300);
  const AlignedFace aligned = align_face(photo, lm);  // quad side 4800: shrink by 2
  const double align_s = seconds();
  ASSERT_EQ(aligned.image.width(), 1024);

  RgbImage edited;
  cv::bitwise_not(aligned.image.pixels, edited.pixels);
  RgbImage result{photo.pixels.clone()};
  seconds();
  paste_back_in_place(result, aligned, edited);
  const double paste_s = seconds();
  const cv::Rect region = paste_region(aligned, photo.pixels.size());
  std::cout << "[ measure  ] 12000x9000: load " << load_s << " s, align " << align_s << " s, paste "
            << paste_s << " s (region " << region.width << "x" << region.height << "), peak RSS "
            << rss_before << " -> " << testing::peak_rss_mib() << " MiB (photo "
            << photo.pixels.total() * 3 / 1048576.0 << " MiB, held twice)\n";

  // Outside the region: compare the strips around it; inside: outside the quad only.
  cv::Mat mask(photo.pixels.size(), CV_8U, cv::Scalar(0));
  mask(region) = 255;
  EXPECT_EQ(max_diff_outside(result.pixels, photo.pixels, mask), 0.0);
  const cv::Mat near_quad = quad_mask(Quad{{aligned.quad.corners[0] - cv::Point2d(region.tl()),
                                            aligned.quad.corners[1] - cv::Point2d(region.tl()),
                                            aligned.quad.corners[2] - cv::Point2d(region.tl()),
                                            aligned.quad.corners[3] - cv::Point2d(region.tl())}},
                                      region.size(), 2);
  EXPECT_EQ(max_diff_outside(result.pixels(region), photo.pixels(region), near_quad), 0.0);
  {  // the pixels are OpenCV's own decoding of the file, in RGB order
    cv::Mat reference = cv::imread(path.string(), cv::IMREAD_COLOR);
    cv::cvtColor(reference, reference, cv::COLOR_BGR2RGB);
    EXPECT_EQ(cv::norm(reference, photo.pixels, cv::NORM_INF), 0.0);
  }
  const cv::Rect w(5900, 4400, 200, 200);
  cv::Mat inverted;
  cv::bitwise_not(photo.pixels(w), inverted);
  EXPECT_LT(mean_abs_diff(result.pixels(w), inverted), 6.0);
}

}  // namespace
}  // namespace deltaedit::face
