#pragma once
// A drawing surface in "unit" coordinates ((0,0) top-left, (1,1) bottom-right of the picture)
// with an affine placement for the figure, so that the renderer draws every part in one
// canonical face frame and pose jitter is a single transform. Shapes are anti-aliased
// polygons; masks (CV_8U coverage) let parts be clipped by other parts.
#include <vector>

#include <opencv2/core.hpp>

namespace deltaedit::demo {

using Polygon = std::vector<cv::Point2d>;

// Colour from 0-255 RGB (the canvas stores OpenCV's BGR).
cv::Scalar rgb(double r, double g, double b);
cv::Scalar mix(const cv::Scalar& a, const cv::Scalar& b, double t);  // (1-t) a + t b
cv::Scalar shade(const cv::Scalar& c, double factor);                // c * factor, clamped

// Points of an ellipse (angle in degrees, clockwise on screen), closed implicitly.
Polygon ellipse_points(cv::Point2d centre, double rx, double ry, double angle_deg = 0, int n = 72);

class PortraitCanvas {
 public:
  explicit PortraitCanvas(int pixels);

  int pixels() const { return pixels_; }
  cv::Mat& image() { return image_; }

  // Placement of unit coordinates: unit -> unit (pose), applied before scaling to pixels.
  void set_pose(const cv::Matx23d& pose) { pose_ = pose; }
  const cv::Matx23d& pose() const { return pose_; }

  void fill(const Polygon& shape, const cv::Scalar& colour, double opacity = 1.0);
  // Open (or closed) line of `width` unit lengths.
  void stroke(const Polygon& line, double width, const cv::Scalar& colour, bool closed = false,
              double opacity = 1.0);

  // Coverage masks in pixels (CV_8U, 255 = inside), combinable with cv::min / cv::max /
  // subtract, and painted with paint().
  cv::Mat fill_mask(const Polygon& shape) const;
  cv::Mat stroke_mask(const Polygon& line, double width, bool closed = false) const;
  void paint(const cv::Mat& mask, const cv::Scalar& colour, double opacity = 1.0);

 private:
  std::vector<cv::Point> to_fixed_pixels(const Polygon& unit) const;
  int pixel_width(double unit_width) const;

  int pixels_;
  cv::Mat image_;  // CV_8UC3, BGR
  cv::Matx23d pose_;
};

// Pose helpers (unit coordinates): rotation about a point and scale about a point, composed
// as `outer * inner` (inner applied first).
cv::Matx23d rotation_about(cv::Point2d pivot, double degrees);
cv::Matx23d translate_scale(cv::Point2d pivot, double scale, cv::Point2d offset);
cv::Matx23d compose(const cv::Matx23d& outer, const cv::Matx23d& inner);

}  // namespace deltaedit::demo
