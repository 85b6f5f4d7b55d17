#pragma once
// SHA-256 for verifying downloaded model files and checksumming session files.
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

namespace deltaedit::io {

class Sha256 {
 public:
  Sha256();
  void update(const void* data, std::size_t size);
  std::array<uint8_t, 32> digest();  // finishes; the object must not be updated afterwards
  std::string hex_digest();

 private:
  void block(const uint8_t* p);
  std::array<uint32_t, 8> h_;
  std::array<uint8_t, 64> buf_{};
  std::size_t buf_len_ = 0;
  uint64_t total_ = 0;
};

std::string sha256_hex(const void* data, std::size_t size);
// Streams the file; throws ModelFileError when it cannot be read.
std::string sha256_file(const std::filesystem::path& file);

}  // namespace deltaedit::io
