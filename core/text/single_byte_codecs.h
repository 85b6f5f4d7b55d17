#pragma once
// The single-byte encodings ftfy uses to undo mojibake (UTF-8 bytes that were decoded with a
// legacy code page). Tables come from Python's codecs (single_byte_codecs_data.inc).
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deltaedit::text {

class SingleByteCodec {
 public:
  // ftfy's names: "latin-1", "sloppy-windows-1252", ..., "macroman", "cp437", plus the strict
  // "windows-1252". Throws std::out_of_range for an unknown name.
  static const SingleByteCodec& get(std::string_view name);
  // ftfy's CHARMAP_ENCODINGS in the order it tries them.
  static const std::vector<const SingleByteCodec*>& mojibake_candidates();

  std::string_view name() const { return name_; }
  bool sloppy() const { return sloppy_; }
  // Byte -> code point, nullopt where the code page leaves the byte undefined.
  std::optional<char32_t> decode_byte(unsigned char b) const;
  // Whole-string conversions; nullopt when a character/byte has no mapping.
  std::optional<std::string> encode(std::u32string_view text) const;
  std::optional<std::u32string> decode(std::string_view bytes) const;
  // ftfy's possible_encoding: every character is ASCII other than 0x1A, or is what a byte
  // 0x80-0xFF (or 0x1A) decodes to.
  bool can_encode(std::u32string_view text) const;

  SingleByteCodec(std::string_view name, bool sloppy, const int (&table)[256]);

 private:
  std::string name_;
  bool sloppy_;
  int to_unicode_[256];
  std::vector<std::pair<char32_t, unsigned char>> from_unicode_;  // sorted by code point
};

}  // namespace deltaedit::text
