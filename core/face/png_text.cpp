#include "core/face/png_text.h"

#include <array>
#include <cstring>
#include <functional>
#include <stdexcept>

#include "core/face/face_errors.h"

namespace deltaedit::face {
namespace {

constexpr size_t kSignatureSize = 8;

std::uint32_t be32(std::span<const unsigned char> b, size_t at) {
  return (std::uint32_t{b[at]} << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3];
}

void append_be32(std::vector<unsigned char>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back((v >> shift) & 0xFF);
}

void append_chunk(std::vector<unsigned char>& out, const char type[4],
                  const std::vector<unsigned char>& data) {
  append_be32(out, static_cast<std::uint32_t>(data.size()));
  const size_t crc_from = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  append_be32(out, png_crc32(std::span(out).subspan(crc_from)));
}

bool is_ascii_text(const std::string& s) {
  for (unsigned char c : s)
    if (c >= 0x80 || (c < 0x20 && c != '\n')) return false;
  return true;
}

void check_key(const std::string& key) {
  bool ok = !key.empty() && key.size() <= 79 && key.front() != ' ' && key.back() != ' ';
  for (unsigned char c : key) ok = ok && ((c >= 0x20 && c <= 0x7E) || c >= 0xA1);
  if (!ok)
    throw std::invalid_argument("PNG text key \"" + key +
                                "\" is invalid (1-79 printable characters, no edge spaces)");
}

std::string latin1_to_utf8(std::span<const unsigned char> s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back(static_cast<char>(0xC0 | (c >> 6)));
      out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return out;
}

struct Chunk {
  std::string type;
  std::span<const unsigned char> data;
};

// Walks the chunks, checking lengths and CRCs; stops after IEND.
void for_each_chunk(std::span<const unsigned char> png, const std::filesystem::path& file,
                    const std::function<void(const Chunk&)>& visit) {
  static const unsigned char signature[kSignatureSize] = {0x89, 'P',  'N',  'G',
                                                          '\r', '\n', 0x1A, '\n'};
  if (png.size() < kSignatureSize || std::memcmp(png.data(), signature, kSignatureSize) != 0)
    throw ImageError(file, "not a PNG file");
  size_t at = kSignatureSize;
  while (true) {
    if (at + 12 > png.size()) throw ImageError(file, "PNG is truncated (no IEND chunk)");
    const std::uint32_t length = be32(png, at);
    if (length > png.size() - at - 12) throw ImageError(file, "PNG is truncated inside a chunk");
    const Chunk chunk{std::string(reinterpret_cast<const char*>(&png[at + 4]), 4),
                      png.subspan(at + 8, length)};
    if (png_crc32(png.subspan(at + 4, length + 4)) != be32(png, at + 8 + length))
      throw ImageError(file, "PNG is corrupt (CRC mismatch in " + chunk.type + " chunk)");
    visit(chunk);
    if (chunk.type == "IEND") return;
    at += length + 12;
  }
}

}  // namespace

std::uint32_t png_crc32(std::span<const unsigned char> bytes) {
  static const auto table = [] {
    std::array<std::uint32_t, 256> t{};
    for (std::uint32_t n = 0; n < 256; ++n) {
      std::uint32_t c = n;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[n] = c;
    }
    return t;
  }();
  std::uint32_t crc = 0xFFFFFFFFu;
  for (unsigned char b : bytes) crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8);
  return crc ^ 0xFFFFFFFFu;
}

std::vector<unsigned char> insert_png_text(std::span<const unsigned char> png,
                                           const TextChunks& text) {
  // An encoder's output always starts with the signature and IHDR (13 data bytes).
  const size_t after_ihdr = kSignatureSize + 12 + 13;
  if (png.size() < after_ihdr || std::memcmp(&png[kSignatureSize + 4], "IHDR", 4) != 0)
    throw std::invalid_argument("insert_png_text: input is not an encoded PNG");
  std::vector<unsigned char> out(png.begin(), png.begin() + after_ihdr);
  for (const auto& [key, value] : text) {
    check_key(key);
    std::vector<unsigned char> data(key.begin(), key.end());
    data.push_back(0);
    if (is_ascii_text(value)) {
      data.insert(data.end(), value.begin(), value.end());
      append_chunk(out, "tEXt", data);
    } else {
      // compression flag 0, method 0, empty language tag, empty translated keyword, UTF-8 text
      data.insert(data.end(), {0, 0, 0, 0});
      data.insert(data.end(), value.begin(), value.end());
      append_chunk(out, "iTXt", data);
    }
  }
  out.insert(out.end(), png.begin() + after_ihdr, png.end());
  return out;
}

TextChunks parse_png_text(std::span<const unsigned char> png, const std::filesystem::path& file) {
  TextChunks text;
  for_each_chunk(png, file, [&](const Chunk& chunk) {
    if (chunk.type != "tEXt" && chunk.type != "iTXt") return;
    const auto* key_end =
        static_cast<const unsigned char*>(std::memchr(chunk.data.data(), 0, chunk.data.size()));
    if (key_end == nullptr) throw ImageError(file, "PNG " + chunk.type + " chunk has no key");
    const size_t key_size = key_end - chunk.data.data();
    std::string key = latin1_to_utf8(chunk.data.first(key_size));
    auto rest = chunk.data.subspan(key_size + 1);
    if (chunk.type == "tEXt") {
      text.emplace_back(std::move(key), latin1_to_utf8(rest));
      return;
    }
    if (rest.size() < 2) throw ImageError(file, "PNG iTXt chunk is cut short");
    if (rest[0] != 0) return;  // compressed
    rest = rest.subspan(2);
    for (int skip = 0; skip < 2; ++skip) {  // language tag, translated keyword
      const auto* end = static_cast<const unsigned char*>(std::memchr(rest.data(), 0, rest.size()));
      if (end == nullptr) throw ImageError(file, "PNG iTXt chunk is cut short");
      rest = rest.subspan(end - rest.data() + 1);
    }
    text.emplace_back(std::move(key), std::string(rest.begin(), rest.end()));
  });
  return text;
}

void check_png_structure(std::span<const unsigned char> png, const std::filesystem::path& file) {
  for_each_chunk(png, file, [](const Chunk&) {});
}

}  // namespace deltaedit::face
