#include "tests/face/face_test_support.h"

#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>

#include "core/face/image_io.h"

namespace deltaedit::face::testing {

namespace fs = std::filesystem;

RgbImage AstronautTest::astronaut_;
std::string AstronautTest::unavailable_;

fs::path scratch_dir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const fs::path dir = fs::temp_directory_path() / ("deltaedit-face-" + std::to_string(::getpid()) +
                                                    "-" + tag + "-" + std::to_string(counter++));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

fs::path astronaut_png(std::string* why) {
  const char* env = std::getenv("DELTAEDIT_TEST_CACHE");
  const fs::path cache = (env != nullptr && *env != '\0')
                             ? fs::path(env)
                             : fs::temp_directory_path() / "deltaedit-test-cache";
  const fs::path image = cache / "astronaut.png";
  if (fs::exists(image)) return image;

  std::error_code ec;
  fs::create_directories(cache, ec);
  const fs::path work = cache / ("skimage-download-" + std::to_string(::getpid()));
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  const std::string log = (work / "log.txt").string();
  // Only the one public-domain image is kept; the package itself is deleted again.
  const std::string command =
      "cd '" + work.string() + "' && apt-get download python3-skimage >'" + log +
      "' 2>&1 && dpkg-deb --fsys-tarfile python3-skimage_*.deb | tar -xO --wildcards "
      "'*/skimage/data/astronaut.png' >'" +
      (work / "astronaut.png").string() + "' 2>>'" + log + "'";
  const int rc = std::system(command.c_str());
  if (rc == 0 && fs::file_size(work / "astronaut.png", ec) > 0) {
    fs::rename(work / "astronaut.png", image, ec);
  }
  if (!fs::exists(image) && why != nullptr) {
    std::ifstream in(log);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    *why = "cannot fetch skimage's astronaut.png with apt-get download python3-skimage (" +
           text.substr(0, 300) + ")";
  }
  fs::remove_all(work, ec);
  return fs::exists(image) ? image : fs::path();
}

std::vector<unsigned char> read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_bytes(const fs::path& path, const std::vector<unsigned char>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
}

cv::Point2d landmark_mean(const Landmarks& lm, int from, int to) {
  cv::Point2d sum(0, 0);
  for (int i = from; i < to; ++i) sum += lm[i];
  return sum * (1.0 / (to - from));
}

double peak_rss_mib() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return usage.ru_maxrss / 1024.0;  // Linux reports KiB
}

void AstronautTest::SetUpTestSuite() {
  if (!astronaut_.empty() || !unavailable_.empty()) return;
  const fs::path png = astronaut_png(&unavailable_);
  if (!png.empty()) astronaut_ = load_photo(png);
}

void AstronautTest::SetUp() {
  if (astronaut_.empty()) GTEST_SKIP() << unavailable_;
}

}  // namespace deltaedit::face::testing
