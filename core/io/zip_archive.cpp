#include "core/io/zip_archive.h"

#include <algorithm>

#include "core/io/model_file_error.h"

namespace deltaedit::io {
namespace {

constexpr uint32_t kLocalHeader = 0x04034b50;
constexpr uint32_t kCentralHeader = 0x02014b50;
constexpr uint32_t kEndOfCentralDir = 0x06054b50;
constexpr uint32_t kZip64EndOfCentralDir = 0x06064b50;
constexpr uint32_t kZip64Locator = 0x07064b50;

// Bounds-checked view over the file bytes; every read names the structure being read.
struct Cursor {
  const FileBytes& f;
  void need(uint64_t offset, uint64_t n, const char* what) const {
    if (offset > f.size() || n > f.size() - offset)
      throw ModelFileError(f.name(), std::string("corrupt or truncated zip archive: ") + what +
                                         " lies beyond the end of the file");
  }
  template <typename T>
  T at(uint64_t offset, const char* what) const {
    need(offset, sizeof(T), what);
    return load_le<T>(f.data() + offset);
  }
};

}  // namespace

bool ZipArchive::looks_like_zip(std::span<const uint8_t> b) {
  return b.size() >= 4 && load_le<uint32_t>(b.data()) == kLocalHeader;
}

ZipArchive::ZipArchive(std::shared_ptr<const FileBytes> bytes) : bytes_(std::move(bytes)) {
  const FileBytes& f = *bytes_;
  const auto fail = [&](const std::string& why) { throw ModelFileError(f.name(), why); };
  const Cursor c{f};
  const uint64_t n = f.size();
  if (n < 22) fail("corrupt or truncated zip archive: too short for an end-of-central-directory");

  // The end-of-central-directory record is in the last 22 + 65535 (comment) bytes.
  uint64_t eocd = UINT64_MAX;
  const uint64_t lowest = n > 22 + 65535 ? n - 22 - 65535 : 0;
  for (uint64_t pos = n - 22 + 1; pos-- > lowest;) {
    if (load_le<uint32_t>(f.data() + pos) == kEndOfCentralDir) {
      eocd = pos;
      break;
    }
  }
  if (eocd == UINT64_MAX)
    fail("corrupt or truncated zip archive: no end-of-central-directory record");

  uint64_t count = c.at<uint16_t>(eocd + 10, "entry count");
  uint64_t cd_size = c.at<uint32_t>(eocd + 12, "central directory size");
  uint64_t cd_offset = c.at<uint32_t>(eocd + 16, "central directory offset");
  if (count == 0xFFFF || cd_size == 0xFFFFFFFF || cd_offset == 0xFFFFFFFF) {
    if (eocd < 20 || c.at<uint32_t>(eocd - 20, "zip64 locator") != kZip64Locator)
      fail("corrupt zip archive: zip64 values without a zip64 locator");
    const uint64_t z = c.at<uint64_t>(eocd - 20 + 8, "zip64 end record offset");
    if (c.at<uint32_t>(z, "zip64 end record") != kZip64EndOfCentralDir)
      fail("corrupt zip archive: bad zip64 end-of-central-directory record");
    count = c.at<uint64_t>(z + 32, "zip64 entry count");
    cd_size = c.at<uint64_t>(z + 40, "zip64 central directory size");
    cd_offset = c.at<uint64_t>(z + 48, "zip64 central directory offset");
  }
  c.need(cd_offset, cd_size, "central directory");
  if (count > cd_size / 46) fail("corrupt zip archive: entry count larger than its directory");

  uint64_t pos = cd_offset;
  const uint64_t cd_end = cd_offset + cd_size;
  for (uint64_t i = 0; i < count; ++i) {
    if (pos + 46 > cd_end || c.at<uint32_t>(pos, "central directory entry") != kCentralHeader)
      fail("corrupt zip archive: bad central directory entry " + std::to_string(i));
    Entry e;
    e.method = c.at<uint16_t>(pos + 10, "compression method");
    uint64_t comp = c.at<uint32_t>(pos + 20, "compressed size");
    uint64_t size = c.at<uint32_t>(pos + 24, "size");
    const uint16_t name_len = c.at<uint16_t>(pos + 28, "name length");
    const uint16_t extra_len = c.at<uint16_t>(pos + 30, "extra length");
    const uint16_t comment_len = c.at<uint16_t>(pos + 32, "comment length");
    uint64_t local = c.at<uint32_t>(pos + 42, "local header offset");
    const uint64_t entry_len = 46ull + name_len + extra_len + comment_len;
    if (pos + entry_len > cd_end) fail("corrupt zip archive: central directory entry overflows");
    std::string name(reinterpret_cast<const char*>(f.data() + pos + 46), name_len);

    // zip64 extended information: the 0xFFFFFFFF fields follow in a fixed order.
    for (uint64_t x = pos + 46 + name_len; x + 4 <= pos + 46 + name_len + extra_len;) {
      const uint16_t id = c.at<uint16_t>(x, "extra field");
      const uint16_t len = c.at<uint16_t>(x + 2, "extra field");
      if (x + 4 + len > pos + 46 + name_len + extra_len) break;
      if (id == 0x0001) {
        uint64_t y = x + 4;
        const auto take = [&](uint64_t& field) {
          if (field != 0xFFFFFFFF) return;
          if (y + 8 > x + 4 + len) fail("corrupt zip archive: short zip64 extra field");
          field = c.at<uint64_t>(y, "zip64 extra field");
          y += 8;
        };
        take(size);
        take(comp);
        take(local);
      }
      x += 4ull + len;
    }

    if (c.at<uint32_t>(local, "local file header") != kLocalHeader)
      fail("corrupt zip archive: bad local header for '" + name + "'");
    const uint64_t data = local + 30ull + c.at<uint16_t>(local + 26, "local name length") +
                          c.at<uint16_t>(local + 28, "local extra length");
    c.need(data, comp, ("record '" + name + "'").c_str());
    if (e.method == 0 && comp != size)
      fail("corrupt zip archive: stored record '" + name + "' has two different sizes");
    e.data_offset = data;
    e.size = comp;
    pos += entry_len;

    // Records live under one top folder; its name comes from the archive itself.
    const auto slash = name.find('/');
    if (slash == std::string::npos) continue;
    std::string top = name.substr(0, slash);
    if (prefix_.empty()) prefix_ = top;
    if (top != prefix_) continue;  // stray records outside the archive folder are ignored
    std::string rel = name.substr(slash + 1);
    if (entries_.emplace(rel, e).second) order_.push_back(std::move(rel));
  }
  if (prefix_.empty()) fail("zip archive without a top folder: not a PyTorch archive");
}

bool ZipArchive::has(std::string_view relative_name) const {
  return entries_.find(relative_name) != entries_.end();
}

std::span<const uint8_t> ZipArchive::record(std::string_view relative_name) const {
  const auto it = entries_.find(relative_name);
  if (it == entries_.end())
    throw ModelFileError(bytes_->name(), "missing archive record '" + prefix_ + "/" +
                                             std::string(relative_name) + "'");
  if (it->second.method != 0)
    throw ModelFileError(bytes_->name(),
                         "archive record '" + prefix_ + "/" + std::string(relative_name) +
                             "' is compressed (method " + std::to_string(it->second.method) +
                             "); PyTorch archives store records uncompressed");
  return {bytes_->data() + it->second.data_offset, static_cast<std::size_t>(it->second.size)};
}

}  // namespace deltaedit::io
