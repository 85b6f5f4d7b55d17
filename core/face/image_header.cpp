#include "core/face/image_header.h"

#include <algorithm>
#include <cstring>

#include "core/face/face_errors.h"

namespace deltaedit::face {
namespace {

using Bytes = std::span<const unsigned char>;

std::uint32_t be16(Bytes b, size_t at) { return (b[at] << 8) | b[at + 1]; }
std::uint32_t le16(Bytes b, size_t at) { return b[at] | (b[at + 1] << 8); }
std::uint32_t be32(Bytes b, size_t at) { return (be16(b, at) << 16) | be16(b, at + 2); }
std::uint32_t le32(Bytes b, size_t at) { return le16(b, at) | (le16(b, at + 2) << 16); }

bool starts_with(Bytes b, const char* magic, size_t at = 0) {
  const size_t n = std::strlen(magic);
  return b.size() >= at + n && std::memcmp(b.data() + at, magic, n) == 0;
}

// Reads one 16/32-bit value of a TIFF structure in its byte order.
struct TiffReader {
  Bytes b;
  bool little;
  std::uint32_t u16(size_t at) const { return little ? le16(b, at) : be16(b, at); }
  std::uint32_t u32(size_t at) const { return little ? le32(b, at) : be32(b, at); }
};

// Looks up SHORT/LONG tags of the first IFD of a TIFF structure (EXIF blocks are TIFF too).
// Returns false where the structure is cut short.
bool tiff_first_ifd(Bytes b, std::uint32_t wanted[], std::int64_t found[], int n_wanted) {
  if (b.size() < 8 || !(starts_with(b, "II") || starts_with(b, "MM"))) return false;
  const TiffReader r{b, b[0] == 'I'};
  const std::uint32_t ifd = r.u32(4);
  if (ifd + 2 > b.size()) return false;
  const std::uint32_t entries = r.u16(ifd);
  for (std::uint32_t i = 0; i < entries; ++i) {
    const size_t at = ifd + 2 + size_t{12} * i;
    if (at + 12 > b.size()) return false;
    const std::uint32_t tag = r.u16(at), type = r.u16(at + 2);
    for (int w = 0; w < n_wanted; ++w) {
      if (tag != wanted[w]) continue;
      if (type == 3)
        found[w] = r.u16(at + 8);  // SHORT
      else if (type == 4)
        found[w] = r.u32(at + 8);  // LONG
    }
  }
  return true;
}

ImageHeader png_header(Bytes b, const std::filesystem::path& file) {
  if (b.size() < 24 || !starts_with(b, "IHDR", 12))
    throw ImageError(file, "PNG header is cut short or has no IHDR chunk");
  return {"PNG", be32(b, 16), be32(b, 20), 1};
}

int exif_orientation(Bytes app1) {
  if (app1.size() < 6 || !starts_with(app1, "Exif")) return 1;  // "Exif\0\0" then TIFF data
  std::uint32_t wanted[] = {0x0112};
  std::int64_t found[] = {1};
  if (!tiff_first_ifd(app1.subspan(6), wanted, found, 1)) return 1;
  return (found[0] >= 1 && found[0] <= 8) ? static_cast<int>(found[0]) : 1;
}

ImageHeader jpeg_header(Bytes b, const std::filesystem::path& file) {
  ImageHeader h{"JPEG", 0, 0, 1};
  bool have_frame = false;
  size_t at = 2;
  while (true) {
    while (at < b.size() && b[at] == 0xFF && at + 1 < b.size() && b[at + 1] == 0xFF) ++at;  // fill
    if (at + 4 > b.size()) throw ImageError(file, "JPEG is truncated inside its header");
    if (b[at] != 0xFF) throw ImageError(file, "JPEG header is corrupt (expected a marker)");
    const unsigned marker = b[at + 1];
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // markers without length
      at += 2;
      continue;
    }
    const size_t length = be16(b, at + 2);
    if (length < 2 || at + 2 + length > b.size())
      throw ImageError(file, "JPEG is truncated inside its header");
    const Bytes segment = b.subspan(at + 4, length - 2);
    const bool is_frame =
        marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (is_frame && !have_frame) {
      if (segment.size() < 5) throw ImageError(file, "JPEG frame header is corrupt");
      h.height = be16(segment, 1);
      h.width = be16(segment, 3);
      have_frame = true;
    } else if (marker == 0xE1 && h.exif_orientation == 1) {
      h.exif_orientation = exif_orientation(segment);
    } else if (marker == 0xDA) {  // start of scan: entropy-coded data follows
      if (!have_frame) throw ImageError(file, "JPEG has no frame header before its image data");
      // 0xFF in entropy-coded data is always followed by 0x00 or a marker, so an end-of-image
      // marker after the first scan means the data is complete (thumbnails live before it).
      const auto rest = b.subspan(at + 2 + length);
      static const unsigned char eoi[] = {0xFF, 0xD9};
      if (std::search(rest.begin(), rest.end(), std::begin(eoi), std::end(eoi)) == rest.end())
        throw ImageError(file, "JPEG is truncated (no end-of-image marker)");
      return h;
    } else if (marker == 0xD9) {
      throw ImageError(file, "JPEG ends before any image data");
    }
    at += 2 + length;
  }
}

ImageHeader webp_header(Bytes b, const std::filesystem::path& file) {
  if (b.size() < 30) throw ImageError(file, "WebP header is cut short");
  if (starts_with(b, "VP8X", 12))
    return {"WebP", 1 + (le32(b, 24) & 0xFFFFFF), 1 + (le32(b, 27) & 0xFFFFFF), 1};
  if (starts_with(b, "VP8L", 12)) {
    const std::uint32_t bits = le32(b, 21);
    return {"WebP", 1 + (bits & 0x3FFF), 1 + ((bits >> 14) & 0x3FFF), 1};
  }
  if (starts_with(b, "VP8 ", 12)) return {"WebP", le16(b, 26) & 0x3FFF, le16(b, 28) & 0x3FFF, 1};
  throw ImageError(file, "WebP header is corrupt (unknown first chunk)");
}

ImageHeader bmp_header(Bytes b, const std::filesystem::path& file) {
  if (b.size() < 26) throw ImageError(file, "BMP header is cut short");
  if (le32(b, 14) == 12) return {"BMP", le16(b, 18), le16(b, 20), 1};  // OS/2 BITMAPCOREHEADER
  const auto w = static_cast<std::int32_t>(le32(b, 18));
  const auto hgt = static_cast<std::int32_t>(le32(b, 22));  // negative = stored top-down
  return {"BMP", std::abs(std::int64_t{w}), std::abs(std::int64_t{hgt}), 1};
}

ImageHeader tiff_header(Bytes b, const std::filesystem::path& file) {
  std::uint32_t wanted[] = {256, 257};  // ImageWidth, ImageLength
  std::int64_t found[] = {0, 0};
  if (!tiff_first_ifd(b, wanted, found, 2)) throw ImageError(file, "TIFF header is cut short");
  return {"TIFF", found[0], found[1], 1};
}

}  // namespace

ImageHeader read_image_header(Bytes bytes, const std::filesystem::path& file) {
  if (starts_with(bytes, "\x89PNG\r\n\x1a\n")) return png_header(bytes, file);
  if (bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF)
    return jpeg_header(bytes, file);
  if (starts_with(bytes, "RIFF") && starts_with(bytes, "WEBP", 8)) return webp_header(bytes, file);
  if (starts_with(bytes, "BM")) return bmp_header(bytes, file);
  if (bytes.size() >= 4 &&
      (std::memcmp(bytes.data(), "II*\0", 4) == 0 || std::memcmp(bytes.data(), "MM\0*", 4) == 0))
    return tiff_header(bytes, file);
  throw ImageError(file, "not a supported image (expected PNG, JPEG, WebP, BMP or TIFF data)");
}

}  // namespace deltaedit::face
