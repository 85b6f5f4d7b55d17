#include "core/demo/portrait_canvas.h"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace deltaedit::demo {
namespace {

constexpr int kShift = 4;  // fixed-point bits of polygon vertices: 1/16 pixel precision
constexpr double kPi = 3.14159265358979323846;

}  // namespace

cv::Scalar rgb(double r, double g, double b) { return cv::Scalar(b, g, r); }

cv::Scalar mix(const cv::Scalar& a, const cv::Scalar& b, double t) { return a * (1.0 - t) + b * t; }

cv::Scalar shade(const cv::Scalar& c, double factor) {
  cv::Scalar out;
  for (int i = 0; i < 3; ++i) out[i] = std::clamp(c[i] * factor, 0.0, 255.0);
  return out;
}

Polygon ellipse_points(cv::Point2d centre, double rx, double ry, double angle_deg, int n) {
  const double a = angle_deg * kPi / 180.0;
  const double ca = std::cos(a), sa = std::sin(a);
  Polygon pts;
  pts.reserve(n);
  for (int i = 0; i < n; ++i) {
    const double t = 2.0 * kPi * i / n;
    const double x = rx * std::cos(t), y = ry * std::sin(t);
    pts.emplace_back(centre.x + ca * x - sa * y, centre.y + sa * x + ca * y);
  }
  return pts;
}

PortraitCanvas::PortraitCanvas(int pixels)
    : pixels_(pixels),
      image_(pixels, pixels, CV_8UC3, cv::Scalar::all(0)),
      pose_(1, 0, 0, 0, 1, 0) {}

std::vector<cv::Point> PortraitCanvas::to_fixed_pixels(const Polygon& unit) const {
  const double s = pixels_ * static_cast<double>(1 << kShift);
  std::vector<cv::Point> px;
  px.reserve(unit.size());
  for (const auto& p : unit) {
    const double x = pose_(0, 0) * p.x + pose_(0, 1) * p.y + pose_(0, 2);
    const double y = pose_(1, 0) * p.x + pose_(1, 1) * p.y + pose_(1, 2);
    // Pixel centres sit at half-integers in unit space.
    px.emplace_back(cvRound(x * s - (1 << (kShift - 1))), cvRound(y * s - (1 << (kShift - 1))));
  }
  return px;
}

int PortraitCanvas::pixel_width(double unit_width) const {
  const double scale = std::sqrt(std::abs(pose_(0, 0) * pose_(1, 1) - pose_(0, 1) * pose_(1, 0)));
  return std::max(1, cvRound(unit_width * scale * pixels_));
}

void PortraitCanvas::fill(const Polygon& shape, const cv::Scalar& colour, double opacity) {
  if (opacity >= 1.0) {
    const std::vector<std::vector<cv::Point>> polys = {to_fixed_pixels(shape)};
    cv::fillPoly(image_, polys, colour, cv::LINE_AA, kShift);
  } else {
    paint(fill_mask(shape), colour, opacity);
  }
}

void PortraitCanvas::stroke(const Polygon& line, double width, const cv::Scalar& colour,
                            bool closed, double opacity) {
  if (opacity >= 1.0) {
    const std::vector<std::vector<cv::Point>> polys = {to_fixed_pixels(line)};
    cv::polylines(image_, polys, closed, colour, pixel_width(width), cv::LINE_AA, kShift);
  } else {
    paint(stroke_mask(line, width, closed), colour, opacity);
  }
}

cv::Mat PortraitCanvas::fill_mask(const Polygon& shape) const {
  cv::Mat mask(pixels_, pixels_, CV_8U, cv::Scalar(0));
  const std::vector<std::vector<cv::Point>> polys = {to_fixed_pixels(shape)};
  cv::fillPoly(mask, polys, cv::Scalar(255), cv::LINE_AA, kShift);
  return mask;
}

cv::Mat PortraitCanvas::stroke_mask(const Polygon& line, double width, bool closed) const {
  cv::Mat mask(pixels_, pixels_, CV_8U, cv::Scalar(0));
  const std::vector<std::vector<cv::Point>> polys = {to_fixed_pixels(line)};
  cv::polylines(mask, polys, closed, cv::Scalar(255), pixel_width(width), cv::LINE_AA, kShift);
  return mask;
}

void PortraitCanvas::paint(const cv::Mat& mask, const cv::Scalar& colour, double opacity) {
  CV_Assert(mask.type() == CV_8U && mask.size() == image_.size());
  const int a_scale = cvRound(std::clamp(opacity, 0.0, 1.0) * 256);
  const int c[3] = {cvRound(colour[0]), cvRound(colour[1]), cvRound(colour[2])};
  for (int y = 0; y < pixels_; ++y) {
    const uint8_t* m = mask.ptr<uint8_t>(y);
    uint8_t* p = image_.ptr<uint8_t>(y);
    for (int x = 0; x < pixels_; ++x, p += 3) {
      if (m[x] == 0) continue;
      const int a = (m[x] * a_scale + 127) / 255;  // 0..256
      for (int k = 0; k < 3; ++k) p[k] = static_cast<uint8_t>((p[k] * (256 - a) + c[k] * a) >> 8);
    }
  }
}

cv::Matx23d rotation_about(cv::Point2d pivot, double degrees) {
  const double a = degrees * kPi / 180.0;
  const double c = std::cos(a), s = std::sin(a);
  // p' = R (p - pivot) + pivot
  return cv::Matx23d(c, -s, pivot.x - c * pivot.x + s * pivot.y,  //
                     s, c, pivot.y - s * pivot.x - c * pivot.y);
}

cv::Matx23d translate_scale(cv::Point2d pivot, double scale, cv::Point2d offset) {
  return cv::Matx23d(scale, 0, pivot.x * (1 - scale) + offset.x,  //
                     0, scale, pivot.y * (1 - scale) + offset.y);
}

cv::Matx23d compose(const cv::Matx23d& outer, const cv::Matx23d& inner) {
  const cv::Matx33d o(outer(0, 0), outer(0, 1), outer(0, 2), outer(1, 0), outer(1, 1), outer(1, 2),
                      0, 0, 1);
  const cv::Matx33d i(inner(0, 0), inner(0, 1), inner(0, 2), inner(1, 0), inner(1, 1), inner(1, 2),
                      0, 0, 1);
  const cv::Matx33d r = o * i;
  return cv::Matx23d(r(0, 0), r(0, 1), r(0, 2), r(1, 0), r(1, 1), r(1, 2));
}

}  // namespace deltaedit::demo
