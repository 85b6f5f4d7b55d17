// dlib detection on a real portrait, no-face images and bad predictor files.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

#include "core/face/face_detector.h"
#include "tests/face/face_test_support.h"

namespace deltaedit::face {
namespace {

namespace fs = std::filesystem;
using testing::AstronautTest;
using testing::landmark_mean;

using FaceDetection = AstronautTest;

TEST_F(FaceDetection, AstronautHasOneFaceWith68PlausibleLandmarks) {
  const auto start = std::chrono::steady_clock::now();
  const std::vector<DetectedFace> faces = detect_faces(astronaut_);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "[ measure  ] first detect_faces on astronaut (incl. model load): " << seconds
            << " s\n";
  for (const auto& f : faces)
    std::cout << "[ measure  ] face " << f.box << " score " << f.score << "\n";
  // dlib (threshold 0, as the FFHQ scripts) also reports a weak false positive on the suit
  // (score ~0.1): the one confident detection must be the face, and listed first.
  ASSERT_FALSE(faces.empty());
  int confident = 0;
  for (const auto& f : faces) confident += f.score > 0.5;
  EXPECT_EQ(confident, 1);
  const DetectedFace& face = faces[0];
  EXPECT_GT(face.score, 0.5);
  EXPECT_GT(face.box.width, 60);  // the face spans ~1/5 of the 512 px picture

  // Every landmark lies near the box (the jaw may leave it slightly).
  const cv::Rect2d around(face.box.x - 0.25 * face.box.width, face.box.y - 0.25 * face.box.height,
                          1.5 * face.box.width, 1.5 * face.box.height);
  for (const auto& p : face.landmarks) EXPECT_TRUE(around.contains(p)) << p;

  const Landmarks& lm = face.landmarks;
  const cv::Point2d right_eye = landmark_mean(lm, 36, 42);  // the subject's right: image left
  const cv::Point2d left_eye = landmark_mean(lm, 42, 48);
  const cv::Point2d mouth = landmark_mean(lm, 48, 68);
  const cv::Point2d nose_tip = lm[30];
  EXPECT_LT(right_eye.x, left_eye.x);
  EXPECT_LT(std::max(right_eye.y, left_eye.y), nose_tip.y);
  EXPECT_LT(nose_tip.y, mouth.y);
  EXPECT_LT(mouth.y, lm[8].y);  // chin below the mouth
  EXPECT_GT(nose_tip.x, right_eye.x);
  EXPECT_LT(nose_tip.x, left_eye.x);
  EXPECT_LT(lm[48].x, lm[54].x);  // mouth corners left to right
  const double eye_distance = cv::norm(left_eye - right_eye);
  EXPECT_GT(eye_distance, 0.25 * face.box.width);
  EXPECT_LT(eye_distance, 0.75 * face.box.width);
  std::cout << "[ measure  ] box " << face.box << " score " << face.score << " eyes " << right_eye
            << " " << left_eye << " mouth " << mouth << "\n";

  const auto again = std::chrono::steady_clock::now();
  detect_faces(astronaut_);
  std::cout << "[ measure  ] detect_faces on astronaut (model loaded): "
            << std::chrono::duration<double>(std::chrono::steady_clock::now() - again).count()
            << " s\n";
}

TEST(FaceDetectionNoFace, BlankAndNoiseImagesGiveNothing) {
  EXPECT_TRUE(detect_faces(RgbImage{cv::Mat(300, 400, CV_8UC3, cv::Scalar::all(128))}).empty());
  cv::Mat noise(256, 256, CV_8UC3);
  cv::randu(noise, 0, 255);
  EXPECT_TRUE(detect_faces(RgbImage{noise}).empty());
  EXPECT_TRUE(detect_faces(RgbImage{}).empty());
}

TEST(FaceDetectorModel, MissingPredictorNamesTheFile) {
  const fs::path missing = testing::scratch_dir("predictor") / "landmarks.dat";
  try {
    FaceDetector detector(missing);
    FAIL() << "no error";
  } catch (const FaceModelError& e) {
    EXPECT_NE(std::string(e.what()).find(missing.string()), std::string::npos) << e.what();
    EXPECT_EQ(e.file(), missing);
  }
}

TEST(FaceDetectorModel, CorruptPredictorNamesTheFile) {
  const fs::path corrupt = testing::scratch_dir("predictor") / "landmarks.dat";
  testing::write_bytes(corrupt, std::vector<unsigned char>(4096, 0x5A));
  try {
    FaceDetector detector(corrupt);
    FAIL() << "no error";
  } catch (const FaceModelError& e) {
    EXPECT_NE(std::string(e.what()).find(corrupt.string()), std::string::npos) << e.what();
  }
}

TEST(FaceDetectorModel, ExplicitPathThenEnvironmentThenDebianFile) {
  const fs::path debian = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";
  const fs::path missing = testing::scratch_dir("predictor-env") / "from-env.dat";
  ::setenv("DELTAEDIT_DLIB_PREDICTOR", missing.c_str(), 1);
  try {
    find_shape_predictor();
    ADD_FAILURE() << "environment override ignored";
  } catch (const FaceModelError& e) {
    EXPECT_EQ(e.file(), missing);
  }
  if (fs::exists(debian)) EXPECT_EQ(find_shape_predictor(debian), debian);  // explicit wins
  ::unsetenv("DELTAEDIT_DLIB_PREDICTOR");
  if (fs::exists(debian)) EXPECT_EQ(find_shape_predictor(), debian);
}

}  // namespace
}  // namespace deltaedit::face
