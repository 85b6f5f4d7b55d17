#pragma once
// Shared by the face tests: scratch folders, the public-domain "astronaut" portrait (fetched
// from Debian's python3-skimage package into a cache, never committed), small image makers.
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/face/face_detector.h"
#include "core/face/rgb_image.h"

namespace deltaedit::face::testing {

// A fresh empty folder for one test.
std::filesystem::path scratch_dir(const std::string& tag);

// skimage/data/astronaut.png (512x512, public domain), cached under $DELTAEDIT_TEST_CACHE
// (default <tmp>/deltaedit-test-cache). Empty path when it cannot be fetched; `why` says why.
std::filesystem::path astronaut_png(std::string* why);

std::vector<unsigned char> read_bytes(const std::filesystem::path& path);
void write_bytes(const std::filesystem::path& path, const std::vector<unsigned char>& bytes);

// Mean of landmarks [from, to).
cv::Point2d landmark_mean(const Landmarks& lm, int from, int to);

// Peak resident memory of this process so far, in MiB.
double peak_rss_mib();

// Fixture base: loads the astronaut once per suite, skips the suite's tests when unavailable.
class AstronautTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite();
  void SetUp() override;
  static RgbImage astronaut_;
  static std::string unavailable_;
};

}  // namespace deltaedit::face::testing
