#include "core/text/ftfy_fixes.h"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <stdexcept>
#include <unordered_map>

#include "core/text/single_byte_codecs.h"
#include "core/text/unicode_string_bridge.h"

namespace deltaedit::text {
namespace {

template <typename Fn>
std::u32string map_chars(std::u32string_view text, Fn&& append_replacement) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) append_replacement(out, c);
  return out;
}

const icu::Normalizer2& normalizer(bool compatibility) {
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* n = compatibility ? icu::Normalizer2::getNFKCInstance(status)
                                            : icu::Normalizer2::getNFCInstance(status);
  if (U_FAILURE(status) || n == nullptr) throw std::runtime_error("ICU normalizer unavailable");
  return *n;
}

// ftfy's WIDTH_MAP: U+3000 -> ' ', and every U+FF01-FFEF whose NFKC form differs.
const std::unordered_map<char32_t, std::u32string>& width_map() {
  static const auto map = [] {
    std::unordered_map<char32_t, std::u32string> m{{0x3000, U" "}};
    for (char32_t c = 0xFF01; c < 0xFFF0; ++c) {
      std::u32string alternate = normalize_with(normalizer(true), std::u32string(1, c));
      if (alternate != std::u32string(1, c)) m.emplace(c, std::move(alternate));
    }
    return m;
  }();
  return map;
}

}  // namespace

std::u32string normalize_with(const icu::Normalizer2& n, std::u32string_view text) {
  UErrorCode status = U_ZERO_ERROR;
  icu::UnicodeString normalized = n.normalize(to_unicode_string(text), status);
  if (U_FAILURE(status)) throw std::runtime_error("ICU normalization failed");
  return from_unicode_string(normalized);
}

std::u32string fix_c1_controls(std::u32string_view text) {
  const SingleByteCodec& cp1252 = SingleByteCodec::get("sloppy-windows-1252");
  return map_chars(text, [&](std::u32string& out, char32_t c) {
    out.push_back(c >= 0x80 && c <= 0x9F ? *cp1252.decode_byte(static_cast<unsigned char>(c)) : c);
  });
}

std::u32string fix_latin_ligatures(std::u32string_view text) {
  static const std::unordered_map<char32_t, std::u32string> kLigatures = {
      {U'Ĳ', U"IJ"},  {U'ĳ', U"ij"},  {U'ŉ', U"ʼn"}, {U'Ǳ', U"DZ"}, {U'ǲ', U"Dz"}, {U'ǳ', U"dz"},
      {U'Ǆ', U"DŽ"},  {U'ǅ', U"Dž"},  {U'ǆ', U"dž"}, {U'Ǉ', U"LJ"}, {U'ǈ', U"Lj"}, {U'ǉ', U"lj"},
      {U'Ǌ', U"NJ"},  {U'ǋ', U"Nj"},  {U'ǌ', U"nj"}, {U'ﬀ', U"ff"}, {U'ﬁ', U"fi"}, {U'ﬂ', U"fl"},
      {U'ﬃ', U"ffi"}, {U'ﬄ', U"ffl"}, {U'ﬅ', U"ſt"}, {U'ﬆ', U"st"}};
  return map_chars(text, [&](std::u32string& out, char32_t c) {
    if (auto it = kLigatures.find(c); it != kLigatures.end())
      out += it->second;
    else
      out.push_back(c);
  });
}

std::u32string fix_character_width(std::u32string_view text) {
  const auto& map = width_map();
  return map_chars(text, [&](std::u32string& out, char32_t c) {
    if (c < 0x3000) {
      out.push_back(c);
      return;
    }
    if (auto it = map.find(c); it != map.end())
      out += it->second;
    else
      out.push_back(c);
  });
}

std::u32string uncurl_quotes(std::u32string_view text) {
  return map_chars(text, [](std::u32string& out, char32_t c) {
    if (c == 0x02BC || (c >= 0x2018 && c <= 0x201B))
      out.push_back(U'\'');
    else if (c >= 0x201C && c <= 0x201F)
      out.push_back(U'"');
    else
      out.push_back(c);
  });
}

std::u32string fix_line_breaks(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (c == U'\r') {
      out.push_back(U'\n');
      if (i + 1 < text.size() && text[i + 1] == U'\n') ++i;
    } else if (c == 0x2028 || c == 0x2029 || c == 0x85) {
      out.push_back(U'\n');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::u32string fix_surrogates(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char32_t c = text[i];
    if (c >= 0xD800 && c <= 0xDBFF && i + 1 < text.size() && text[i + 1] >= 0xDC00 &&
        text[i + 1] <= 0xDFFF) {
      out.push_back(0x10000 + ((c - 0xD800) << 10) + (text[i + 1] - 0xDC00));
      ++i;
    } else if (c >= 0xD800 && c <= 0xDFFF) {
      out.push_back(0xFFFD);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::u32string remove_terminal_escapes(std::u32string_view text) {
  // ESC '[' (\d|;)* [a-zA-Z]  (\d: any Unicode decimal digit, as in Python's re)
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == 0x1B && i + 1 < text.size() && text[i + 1] == U'[') {
      size_t j = i + 2;
      while (j < text.size() && (text[j] == U';' || u_charType(text[j]) == U_DECIMAL_DIGIT_NUMBER))
        ++j;
      if (j < text.size() &&
          ((text[j] >= U'a' && text[j] <= U'z') || (text[j] >= U'A' && text[j] <= U'Z'))) {
        i = j + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::u32string remove_control_chars(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (char32_t c : text) {
    const bool control = (c <= 0x08) || c == 0x0B || (c >= 0x0E && c <= 0x1F) || c == 0x7F ||
                         (c >= 0x206A && c <= 0x206F) || c == 0xFEFF ||
                         (c >= 0xFFF9 && c <= 0xFFFC);
    if (!control) out.push_back(c);
  }
  return out;
}

std::u32string normalize_nfc(std::u32string_view text) {
  return normalize_with(normalizer(false), text);
}

}  // namespace deltaedit::text
