#pragma once
// The one error type for anything wrong with a model or data file: the message always names
// the file and says what is wrong with it (and, where relevant, the key and shapes).
#include <filesystem>
#include <stdexcept>
#include <string>

namespace deltaedit::io {

class ModelFileError : public std::runtime_error {
 public:
  ModelFileError(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(file.string() + ": " + problem), file_(file), problem_(problem) {}

  const std::filesystem::path& file() const noexcept { return file_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::filesystem::path file_;
  std::string problem_;
};

}  // namespace deltaedit::io
