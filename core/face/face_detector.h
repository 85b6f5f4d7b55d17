#pragma once
// Faces and their 68 iBUG landmarks with dlib (HOG detector + shape predictor), as the FFHQ
// alignment scripts find them.
#include <array>
#include <filesystem>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

#include "core/face/face_errors.h"
#include "core/face/rgb_image.h"

namespace deltaedit::face {

inline constexpr int kLandmarkCount = 68;
using Landmarks = std::array<cv::Point2d, kLandmarkCount>;  // photo pixels, iBUG 300-W order

struct DetectedFace {
  cv::Rect2d box;       // detector box in photo pixels
  Landmarks landmarks;  // 0-16 jaw, 17-26 brows, 27-35 nose, 36-41 / 42-47 eyes, 48-67 mouth
  double score = 0.0;   // HOG detector confidence; > 0 is a detection
};

struct DetectorOptions {
  // Photos with a longer side are searched on a copy scaled down to it (landmarks are still
  // fitted on the full-resolution photo): keeps a 12000x9000 photo fast and small.
  int max_search_side = 1600;
  // Photos (or scaled copies) up to this side are upsampled 2x first, as detector(img, 1) in
  // the FFHQ scripts, so that small faces are found.
  int upsample_up_to_side = 1200;
};

// The landmark model: `explicit_path` if given, else $DELTAEDIT_DLIB_PREDICTOR, else Debian's
// libdlib-data file. Throws FaceModelError naming the path when it does not exist.
std::filesystem::path find_shape_predictor(const std::filesystem::path& explicit_path = {});

class FaceDetector {
 public:
  // Loads the shape predictor (about a second); throws FaceModelError naming the file when it
  // is missing, corrupt or not a 68-landmark model.
  explicit FaceDetector(const std::filesystem::path& predictor = {}, DetectorOptions options = {});
  ~FaceDetector();
  FaceDetector(const FaceDetector&) = delete;
  FaceDetector& operator=(const FaceDetector&) = delete;

  // All faces, largest box first; empty when there is none. Thread-safe.
  std::vector<DetectedFace> detect(const RgbImage& photo) const;

  const std::filesystem::path& predictor_path() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// detect() on one shared detector, created on first use with the default predictor.
std::vector<DetectedFace> detect_faces(const RgbImage& photo);

}  // namespace deltaedit::face
