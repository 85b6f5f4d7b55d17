#include "core/face/face_detector.h"

#include <algorithm>
#include <cstdlib>
#include <mutex>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>
#include <dlib/image_transforms.h>
#include <dlib/opencv/cv_image.h>
#include <opencv2/imgproc.hpp>

namespace deltaedit::face {
namespace {

namespace fs = std::filesystem;

const char* kDebianPredictor = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

// Pixel-centre convention: a point x of an image scaled by `s` is at (x + 0.5) * s - 0.5.
double rescale(double x, double s) { return (x + 0.5) * s - 0.5; }

}  // namespace

fs::path find_shape_predictor(const fs::path& explicit_path) {
  fs::path path = explicit_path;
  if (path.empty()) {
    const char* env = std::getenv("DELTAEDIT_DLIB_PREDICTOR");
    path = (env != nullptr && *env != '\0') ? fs::path(env) : fs::path(kDebianPredictor);
  }
  if (!fs::is_regular_file(path))
    throw FaceModelError(path,
                         "dlib 68-landmark shape predictor not found (install Debian's "
                         "libdlib-data or set DELTAEDIT_DLIB_PREDICTOR)");
  return path;
}

struct FaceDetector::Impl {
  fs::path predictor_path;
  DetectorOptions options;
  std::mutex mutex;  // dlib's detector keeps scratch buffers: one caller at a time
  dlib::frontal_face_detector detector = dlib::get_frontal_face_detector();
  dlib::shape_predictor predictor;
};

FaceDetector::FaceDetector(const fs::path& predictor, DetectorOptions options) {
  fs::path path = find_shape_predictor(predictor);  // before building the HOG detector (slow)
  impl_ = std::make_unique<Impl>();
  impl_->predictor_path = std::move(path);
  impl_->options = options;
  try {
    dlib::deserialize(impl_->predictor_path.string()) >> impl_->predictor;
  } catch (const std::exception& e) {
    throw FaceModelError(impl_->predictor_path,
                         std::string("not a usable dlib shape predictor: ") + e.what());
  }
  if (impl_->predictor.num_parts() != kLandmarkCount)
    throw FaceModelError(impl_->predictor_path, "shape predictor has " +
                                                    std::to_string(impl_->predictor.num_parts()) +
                                                    " landmarks, 68 expected");
}

FaceDetector::~FaceDetector() = default;

const fs::path& FaceDetector::predictor_path() const { return impl_->predictor_path; }

std::vector<DetectedFace> FaceDetector::detect(const RgbImage& photo) const {
  if (photo.empty()) return {};
  CV_Assert(photo.pixels.type() == CV_8UC3);
  const DetectorOptions& opt = impl_->options;

  // Search a scaled-down copy of a huge photo; `search_scale` maps photo -> search image.
  const int long_side = std::max(photo.width(), photo.height());
  double search_scale = 1.0;
  cv::Mat search = photo.pixels;
  if (long_side > opt.max_search_side) {
    search_scale = double(opt.max_search_side) / long_side;
    cv::resize(photo.pixels, search, cv::Size(), search_scale, search_scale, cv::INTER_AREA);
    search_scale = double(search.cols) / photo.width();
  }
  const bool upsample = std::max(search.cols, search.rows) <= opt.upsample_up_to_side;

  std::vector<dlib::rect_detection> found;
  {
    std::lock_guard lock(impl_->mutex);
    const dlib::cv_image<dlib::rgb_pixel> view(search);  // RGB memory matches rgb_pixel
    if (upsample) {
      dlib::array2d<dlib::rgb_pixel> larger;
      dlib::pyramid_up(view, larger,
                       dlib::pyramid_down<2>());  // exactly 2x, as dlib's Python detector(img, 1)
      impl_->detector(larger, found, 0.0);
      for (auto& d : found) d.rect = dlib::pyramid_down<2>().rect_down(d.rect);
    } else {
      impl_->detector(view, found, 0.0);
    }
  }

  // Landmarks on the full-resolution photo: the predictor only reads pixels near the box.
  const dlib::cv_image<dlib::rgb_pixel> full(photo.pixels);
  const double to_photo = 1.0 / search_scale;
  std::vector<DetectedFace> faces;
  for (const auto& d : found) {
    const double left = rescale(d.rect.left(), to_photo), top = rescale(d.rect.top(), to_photo);
    const double right = rescale(d.rect.right(), to_photo);
    const double bottom = rescale(d.rect.bottom(), to_photo);
    const dlib::rectangle box(std::lround(left), std::lround(top), std::lround(right),
                              std::lround(bottom));
    const dlib::full_object_detection shape = impl_->predictor(full, box);
    DetectedFace face;
    face.box = cv::Rect2d(left, top, right - left + 1, bottom - top + 1);
    face.score = d.detection_confidence;
    for (int i = 0; i < kLandmarkCount; ++i)
      face.landmarks[i] = cv::Point2d(double(shape.part(i).x()), double(shape.part(i).y()));
    faces.push_back(face);
  }
  std::stable_sort(faces.begin(), faces.end(), [](const DetectedFace& a, const DetectedFace& b) {
    return a.box.area() > b.box.area();
  });
  return faces;
}

std::vector<DetectedFace> detect_faces(const RgbImage& photo) {
  static const FaceDetector shared;  // thread-safe lazy init; the model loads once
  return shared.detect(photo);
}

}  // namespace deltaedit::face
