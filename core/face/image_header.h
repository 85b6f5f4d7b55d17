#pragma once
// Reads what an encoded photo claims about itself (format, size, EXIF orientation) from its
// header bytes, so absurd dimensions are refused before a decoder allocates anything.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>

namespace deltaedit::face {

struct ImageHeader {
  std::string format;      // "PNG", "JPEG", "WebP", "BMP", "TIFF"
  std::int64_t width = 0;  // as stored, before EXIF orientation
  std::int64_t height = 0;
  int exif_orientation = 1;  // EXIF tag 0x0112 (1..8) of JPEG files; 1 = as stored
};

// Throws ImageError naming `file` for unknown formats, headers cut short or a truncated body.
ImageHeader read_image_header(std::span<const unsigned char> bytes,
                              const std::filesystem::path& file);

}  // namespace deltaedit::face
