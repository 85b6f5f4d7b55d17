#pragma once
// The one in-memory photo type of the module: 8-bit, 3 channels, RGB order (not OpenCV's BGR).
#include <opencv2/core.hpp>

namespace deltaedit::face {

struct RgbImage {
  cv::Mat pixels;  // CV_8UC3, R G B per pixel, row-major

  int width() const { return pixels.cols; }
  int height() const { return pixels.rows; }
  bool empty() const { return pixels.empty(); }
};

}  // namespace deltaedit::face
