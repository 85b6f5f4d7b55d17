#pragma once
// Errors of the training tools. Both name the file and say what is wrong with it; the CLI maps
// DataFileError to "input problem" and OutputConflict to "output problem".
#include <filesystem>
#include <stdexcept>
#include <string>

namespace deltaedit::train {

// An input data file (code shard, meta.json, training state) is missing, corrupt or inconsistent.
class DataFileError : public std::runtime_error {
 public:
  DataFileError(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(file.string() + ": " + problem), file_(file) {}
  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
};

// An output folder or file belongs to something else (another run, other settings) or cannot be
// written; nothing was overwritten.
class OutputConflict : public std::runtime_error {
 public:
  OutputConflict(const std::filesystem::path& file, const std::string& problem)
      : std::runtime_error(file.string() + ": " + problem), file_(file) {}
  const std::filesystem::path& file() const noexcept { return file_; }

 private:
  std::filesystem::path file_;
};

}  // namespace deltaedit::train
