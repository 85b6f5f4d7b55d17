#pragma once
// Error types of the photo/face module: every message names the file and says what is wrong.
#include <filesystem>
#include <stdexcept>
#include <string>

namespace deltaedit::face {

// A photo that cannot be read or written (missing, corrupt, truncated, absurd size, exists...).
class ImageError : public std::runtime_error {
 public:
  ImageError(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(file.string() + ": " + problem), file_(file), problem_(problem) {}

  const std::filesystem::path& file() const noexcept { return file_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::filesystem::path file_;
  std::string problem_;
};

// The dlib landmark model is missing or unusable.
class FaceModelError : public std::runtime_error {
 public:
  FaceModelError(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(file.string() + ": " + problem), file_(file) {}

  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace deltaedit::face
