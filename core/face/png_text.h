#pragma once
// PNG text chunks (tEXt / iTXt) on encoded PNG bytes: inserted after encoding, read back for
// tests and the GUI. Pure byte work, no libpng needed.
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace deltaedit::face {

// Key/value pairs, UTF-8 both. Keys: 1-79 printable Latin-1 characters (the PNG rule).
using TextChunks = std::vector<std::pair<std::string, std::string>>;

// CRC-32 as PNG (and zlib) define it.
std::uint32_t png_crc32(std::span<const unsigned char> bytes);

// Returns `png` with one text chunk per pair inserted right after IHDR: tEXt where the value is
// plain ASCII, uncompressed iTXt (UTF-8) otherwise. Throws std::invalid_argument for bad keys.
std::vector<unsigned char> insert_png_text(std::span<const unsigned char> png,
                                           const TextChunks& text);

// The tEXt and uncompressed iTXt chunks of a PNG in file order (Latin-1 converted to UTF-8).
// Compressed chunks (zTXt, compressed iTXt) are skipped: this module writes none.
// Throws ImageError naming `file` when the chunk structure is broken or a CRC does not match.
TextChunks parse_png_text(std::span<const unsigned char> png, const std::filesystem::path& file);

// Throws ImageError naming `file` unless the chunks are intact up to IEND (truncation check).
void check_png_structure(std::span<const unsigned char> png, const std::filesystem::path& file);

}  // namespace deltaedit::face
