#pragma once
// A minimal reader of the zip container torch.save and torch.jit.save write: records are stored
// (never compressed) under one top folder whose name varies (the file stem, or "archive").
// Only the central directory is trusted for names; every offset and size is checked against the
// bytes present.
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/io/file_bytes.h"

namespace deltaedit::io {

class ZipArchive {
 public:
  // Parses the central directory. Throws ModelFileError (truncated, not a zip, zip64 errors...).
  explicit ZipArchive(std::shared_ptr<const FileBytes> bytes);

  static bool looks_like_zip(std::span<const uint8_t> bytes);

  // The top folder ("archive", "model", ...), without the slash.
  const std::string& prefix() const { return prefix_; }
  // Record names relative to the top folder, in archive order ("data.pkl", "data/0", ...).
  const std::vector<std::string>& names() const { return order_; }
  bool has(std::string_view relative_name) const;
  // The stored bytes of a record (relative name). Throws naming the record when it is missing
  // or compressed.
  std::span<const uint8_t> record(std::string_view relative_name) const;

  const std::shared_ptr<const FileBytes>& bytes() const { return bytes_; }

 private:
  struct Entry {
    uint64_t data_offset = 0;
    uint64_t size = 0;
    uint16_t method = 0;
  };
  std::shared_ptr<const FileBytes> bytes_;
  std::string prefix_;
  std::map<std::string, Entry, std::less<>> entries_;
  std::vector<std::string> order_;
};

}  // namespace deltaedit::io
