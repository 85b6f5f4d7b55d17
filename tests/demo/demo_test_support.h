#pragma once
// Measurements of rendered demo portraits used by several tests: region statistics in the unit
// coordinates of core/demo/portrait_renderer.h.
#include <array>
#include <limits>

#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "core/demo/portrait_renderer.h"

namespace deltaedit::demo::testing {

inline cv::Rect pixels(const cv::Rect2d& unit, int size) {
  const cv::Rect r(cvRound(unit.x * size), cvRound(unit.y * size), cvRound(unit.width * size),
                   cvRound(unit.height * size));
  return r & cv::Rect(0, 0, size, size);
}

// Mean absolute difference (all channels) of two renders inside a unit region.
inline double region_change(const cv::Mat& a, const cv::Mat& b, const cv::Rect2d& unit) {
  const cv::Rect r = pixels(unit, a.cols);
  cv::Mat diff;
  cv::absdiff(a(r), b(r), diff);
  const cv::Scalar m = cv::mean(diff);
  return (m[0] + m[1] + m[2]) / 3.0;
}

// Mean colour as RGB.
inline cv::Vec3d mean_rgb(const cv::Mat& bgr, const cv::Rect2d& unit) {
  const cv::Scalar m = cv::mean(bgr(pixels(unit, bgr.cols)));
  return {m[2], m[1], m[0]};
}

inline double luminance(const cv::Vec3d& rgb) {
  return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
}

// Index of the reference colour nearest to `rgb` (Euclidean in RGB).
template <size_t N>
size_t nearest(const cv::Vec3d& rgb, const std::array<cv::Vec3d, N>& references) {
  size_t best = 0;
  double best_d = std::numeric_limits<double>::max();
  for (size_t i = 0; i < N; ++i) {
    const double d = cv::norm(rgb - references[i]);
    if (d < best_d) best_d = d, best = i;
  }
  return best;
}

}  // namespace deltaedit::demo::testing
