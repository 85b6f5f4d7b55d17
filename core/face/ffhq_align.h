#pragma once
// FFHQ face alignment (the `recreate_aligned_images` procedure used by the e4e / DeltaEdit
// `align_faces` script): an oriented square ("quad") from eyes and mouth, resampled to a square
// image, keeping the exact photo <-> aligned transform for pasting the edit back.
#include <array>

#include <opencv2/core.hpp>

#include "core/face/face_detector.h"
#include "core/face/rgb_image.h"

namespace deltaedit::face {

// Coordinates use the pixel-centre convention of OpenCV and dlib: pixel (i, j) covers
// [i - 0.5, i + 0.5] x [j - 0.5, j + 0.5].
struct Quad {
  // Photo positions of the aligned image's outer corners, in FFHQ order:
  // top-left, bottom-left, bottom-right, top-right.
  std::array<cv::Point2d, 4> corners;

  double side() const { return cv::norm(corners[3] - corners[0]); }  // FFHQ's qsize
};

struct AlignedFace {
  RgbImage image;                // square, output_size x output_size
  Quad quad;                     // in original-photo coordinates
  cv::Matx33d photo_to_aligned;  // affine (last row 0 0 1): photo pixel -> aligned pixel

  cv::Matx33d aligned_to_photo() const { return photo_to_aligned.inv(); }
};

struct AlignOptions {
  int output_size = 1024;
  bool enable_padding = true;  // reflect-pad and blur where the quad leaves the photo
  int max_supersampling = 4;   // FFHQ renders 4096 then shrinks to 1024
};

// FFHQ's quad for 68 landmarks: x = e2e - rot90(e2m) scaled to max(2|e2e|, 1.8|e2m|),
// centred at eye_avg + 0.1 e2m.
Quad ffhq_quad(const Landmarks& landmarks);

// The affine map photo -> square image of `size` that sends the quad onto the image's outer
// corners (quad corner 0 -> (-0.5, -0.5), 1 -> (-0.5, size - 0.5), ...).
cv::Matx33d photo_to_square(const Quad& quad, int size);

AlignedFace align_face(const RgbImage& photo, const Landmarks& landmarks,
                       const AlignOptions& options = {});
inline AlignedFace align_face(const RgbImage& photo, const DetectedFace& face,
                              const AlignOptions& options = {}) {
  return align_face(photo, face.landmarks, options);
}

// For inputs that already are FFHQ crops: resized to `size`, the quad is the whole image.
AlignedFace treat_as_aligned(const RgbImage& image, int size = 1024);

}  // namespace deltaedit::face
