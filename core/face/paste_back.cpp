#include "core/face/paste_back.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace deltaedit::face {
namespace {

cv::Matx33d scale_about_corner(double sx, double sy) {
  return {sx, 0, 0.5 * sx - 0.5, 0, sy, 0.5 * sy - 0.5, 0, 0, 1};
}

}  // namespace

double paste_weight(cv::Point2d t, double feather) {
  if (feather <= 0) return (t.x > 0 && t.x < 1 && t.y > 0 && t.y < 1) ? 1.0 : 0.0;
  // Distance into the square, with corners rounded to a circle of radius `feather`.
  const double dx = std::max(feather - std::min(t.x, 1 - t.x), 0.0);
  const double dy = std::max(feather - std::min(t.y, 1 - t.y), 0.0);
  if (dx == 0.0 && dy == 0.0) return 1.0;  // the inner square, most pixels
  const double r = std::clamp((feather - std::sqrt(dx * dx + dy * dy)) / feather, 0.0, 1.0);
  return r * r * (3 - 2 * r);  // smoothstep: no visible seam at either end of the fade
}

cv::Rect paste_region(const AlignedFace& alignment, cv::Size photo_size) {
  double x0 = 1e300, y0 = 1e300, x1 = -1e300, y1 = -1e300;
  for (const auto& p : alignment.quad.corners) {
    x0 = std::min(x0, p.x), y0 = std::min(y0, p.y);
    x1 = std::max(x1, p.x), y1 = std::max(y1, p.y);
  }
  const cv::Rect box(cv::Point(int(std::floor(x0)), int(std::floor(y0))),
                     cv::Point(int(std::ceil(x1)) + 1, int(std::ceil(y1)) + 1));
  return box & cv::Rect(cv::Point(0, 0), photo_size);
}

void paste_back_in_place(RgbImage& photo, const AlignedFace& alignment, const RgbImage& edited,
                         const PasteOptions& options) {
  if (photo.empty() || photo.pixels.type() != CV_8UC3)
    throw std::invalid_argument("paste_back: photo must be a non-empty 8-bit RGB image");
  if (edited.empty() || edited.pixels.type() != CV_8UC3)
    throw std::invalid_argument("paste_back: edited face must be a non-empty 8-bit RGB image");
  if (alignment.image.empty())
    throw std::invalid_argument("paste_back: alignment has no aligned image (size unknown)");
  const cv::Rect roi = paste_region(alignment, photo.pixels.size());
  if (roi.empty()) return;

  // A face smaller in the photo than the edited image: area-shrink first, else it aliases.
  cv::Mat face = edited.pixels;
  const double face_side = alignment.quad.side();
  if (face.cols > 1.5 * face_side || face.rows > 1.5 * face_side) {
    const int side = std::max(8, static_cast<int>(std::lround(face_side)));
    cv::resize(face, face, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  }

  // roi pixel -> photo -> aligned (size of alignment.image) -> edited pixel
  const cv::Matx33d roi_to_face = scale_about_corner(double(face.cols) / alignment.image.width(),
                                                     double(face.rows) / alignment.image.height()) *
                                  alignment.photo_to_aligned *
                                  cv::Matx33d(1, 0, roi.x, 0, 1, roi.y, 0, 0, 1);
  cv::Mat warped;
  cv::warpAffine(face, warped, cv::Mat(roi_to_face).rowRange(0, 2), roi.size(),
                 cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_REPLICATE);

  cv::Mat target = photo.pixels(roi);
  for (int y = 0; y < roi.height; ++y) {
    cv::Vec3b* dst = target.ptr<cv::Vec3b>(y);
    const cv::Vec3b* src = warped.ptr<cv::Vec3b>(y);
    for (int x = 0; x < roi.width; ++x) {
      const double u = roi_to_face(0, 0) * x + roi_to_face(0, 1) * y + roi_to_face(0, 2);
      const double v = roi_to_face(1, 0) * x + roi_to_face(1, 1) * y + roi_to_face(1, 2);
      const cv::Point2d t((u + 0.5) / face.cols, (v + 0.5) / face.rows);
      const double w = paste_weight(t, options.feather);
      if (w <= 0.0) continue;  // untouched: bit-identical
      if (w >= 1.0) {
        dst[x] = src[x];
        continue;
      }
      for (int c = 0; c < 3; ++c)
        dst[x][c] = cv::saturate_cast<uchar>(dst[x][c] + w * (src[x][c] - dst[x][c]));
    }
  }
}

RgbImage paste_back(const RgbImage& photo, const AlignedFace& alignment, const RgbImage& edited,
                    const PasteOptions& options) {
  RgbImage out{photo.pixels.clone()};
  paste_back_in_place(out, alignment, edited, options);
  return out;
}

}  // namespace deltaedit::face
