#pragma once
// The bytes of a model file, kept alive by shared ownership so that tensors built over them
// (torch::from_blob) can outlive the reader. Files are mapped MAP_PRIVATE with write access, so
// an accidental in-place write to a loaded weight is copy-on-write instead of a segfault.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <span>
#include <vector>

namespace deltaedit::io {

class FileBytes {
 public:
  // Maps `file` (throws ModelFileError when it cannot be opened or is empty-unreadable).
  static std::shared_ptr<FileBytes> map(const std::filesystem::path& file);
  // Copies `bytes` into an owned buffer that is reported as coming from `name` (fuzzing, tests).
  static std::shared_ptr<FileBytes> copy_of(std::span<const uint8_t> bytes,
                                            const std::filesystem::path& name);

  FileBytes(const FileBytes&) = delete;
  FileBytes& operator=(const FileBytes&) = delete;
  ~FileBytes();

  uint8_t* data() const { return data_; }
  std::size_t size() const { return size_; }
  std::span<const uint8_t> span() const { return {data_, size_}; }
  const std::filesystem::path& name() const { return name_; }

 private:
  FileBytes() = default;
  std::filesystem::path name_;
  uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = false;
  std::vector<uint8_t> owned_;
};

// Little-endian loads from unaligned memory (callers have bounds-checked `p`).
template <typename T>
inline T load_le(const uint8_t* p) {
  T v;
  std::memcpy(&v, p, sizeof(T));
  return v;  // every supported host is little-endian (checked in file_bytes.cpp)
}

}  // namespace deltaedit::io
