#include "core/text/utf8_codec.h"

namespace deltaedit::text {
namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Length of a well-formed sequence starting at s[i] (Unicode Table 3-7), 0 when the lead byte
// is invalid; `valid` is the count of bytes that form a valid prefix (the maximal subpart).
struct SequenceCheck {
  size_t length = 0;  // bytes of a complete, valid sequence; 0 if not valid
  size_t prefix = 1;  // bytes to consume as one replacement when invalid
};

SequenceCheck check_sequence(std::string_view s, size_t i) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  size_t need = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 < 0x80) return {1, 1};
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 2;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 3;
    if (b0 == 0xE0) lo = 0xA0;
    if (b0 == 0xED) hi = 0x9F;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 4;
    if (b0 == 0xF0) lo = 0x90;
    if (b0 == 0xF4) hi = 0x8F;
  } else {
    return {0, 1};
  }
  size_t k = 1;
  for (; k < need; ++k) {
    if (i + k >= s.size()) return {0, k};
    const auto b = static_cast<unsigned char>(s[i + k]);
    const unsigned char l = (k == 1) ? lo : 0x80, h = (k == 1) ? hi : 0xBF;
    if (b < l || b > h) return {0, k};
  }
  return {need, need};
}

char32_t decode_at(std::string_view s, size_t i, size_t length) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (length == 1) return b0;
  char32_t c = b0 & (0xFF >> (length + 1));
  for (size_t k = 1; k < length; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return c;
}

// CESU-8 pair: ED A0-AF 80-BF ED B0-BF 80-BF.
bool is_cesu_pair(std::string_view s, size_t i) {
  if (i + 6 > s.size()) return false;
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  return b(0) == 0xED && b(1) >= 0xA0 && b(1) <= 0xAF && b(2) >= 0x80 && b(2) <= 0xBF &&
         b(3) == 0xED && b(4) >= 0xB0 && b(4) <= 0xBF && b(5) >= 0x80 && b(5) <= 0xBF;
}

}  // namespace

std::u32string decode_utf8_lenient(std::string_view bytes) {
  std::u32string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    const SequenceCheck check = check_sequence(bytes, i);
    if (check.length > 0) {
      out.push_back(decode_at(bytes, i, check.length));
      i += check.length;
    } else {
      out.push_back(kReplacement);
      i += check.prefix;
    }
  }
  return out;
}

std::optional<std::u32string> decode_utf8_strict(std::string_view bytes, bool allow_cesu_variants) {
  std::u32string out;
  out.reserve(bytes.size());
  size_t i = 0;
  while (i < bytes.size()) {
    if (allow_cesu_variants) {
      if (is_cesu_pair(bytes, i)) {
        const char32_t high = decode_at(bytes, i, 3), low = decode_at(bytes, i + 3, 3);
        out.push_back(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00));
        i += 6;
        continue;
      }
      if (i + 1 < bytes.size() && static_cast<unsigned char>(bytes[i]) == 0xC0 &&
          static_cast<unsigned char>(bytes[i + 1]) == 0x80) {
        out.push_back(0);
        i += 2;
        continue;
      }
    }
    const SequenceCheck check = check_sequence(bytes, i);
    if (check.length == 0) return std::nullopt;
    out.push_back(decode_at(bytes, i, check.length));
    i += check.length;
  }
  return out;
}

void append_utf8(std::string& out, char32_t c) {
  if (c < 0x80) {
    out.push_back(static_cast<char>(c));
  } else if (c < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (c >> 6)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else if (c < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (c >> 12)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (c >> 18)));
    out.push_back(static_cast<char>(0x80 | ((c >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((c >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (c & 0x3F)));
  }
}

std::string encode_utf8(std::u32string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char32_t c : text) append_utf8(out, c);
  return out;
}

}  // namespace deltaedit::text
