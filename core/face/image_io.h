#pragma once
// Reading photos into 8-bit RGB and writing PNGs with text metadata, atomically.
#include <cstdint>
#include <filesystem>

#include "core/face/face_errors.h"
#include "core/face/png_text.h"
#include "core/face/rgb_image.h"

namespace deltaedit::face {

// Refused before decoding: anything this large is a mistake or an attack, not a portrait.
inline constexpr std::int64_t kMaxPhotoSide = 20000;
inline constexpr std::int64_t kMaxPhotoPixels = 250'000'000;  // 12000x9000 = 108 MP is fine

// Loads PNG, JPEG, WebP, BMP or TIFF as 8-bit RGB, the way it is meant to be seen:
// - JPEG EXIF orientation is applied (rotated/flipped upright);
// - 16-bit samples are scaled to 8 bits (v / 257, rounded: 65535 -> 255);
// - grayscale becomes RGB;
// - alpha (RGBA, gray+alpha, palette with transparency) is composited over white.
// Throws ImageError naming the file for a missing/unreadable/empty file, an unknown format,
// corrupt or truncated data, zero or absurd dimensions (checked on the header before decoding).
RgbImage load_photo(const std::filesystem::path& path);

// Writes `rgb` (CV_8UC3, RGB) as PNG with `metadata` as text chunks. The file appears at once
// complete (temp file in the same folder + rename). An existing file is replaced only when
// `overwrite`; otherwise ImageError names it.
void save_png(const std::filesystem::path& path, const RgbImage& rgb,
              const TextChunks& metadata = {}, bool overwrite = false);

// The text chunks of a PNG file (see parse_png_text).
TextChunks read_png_text(const std::filesystem::path& path);

}  // namespace deltaedit::face
