#include "core/text/mojibake_badness.h"

#include <unicode/regex.h>

#include <cstdio>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>

#include "core/text/single_byte_codecs.h"
#include "core/text/unicode_string_bridge.h"

namespace deltaedit::text {
namespace {

using Chars = std::u32string;

Chars span(char32_t first, char32_t last) {
  Chars out;
  for (char32_t c = first; c <= last; ++c) out.push_back(c);
  return out;
}

// ftfy's MOJIBAKE_CATEGORIES (badness.py), as code points.
struct Categories {
  Chars common = Chars{0xA0, 0xAD, 0xB7, 0xB4, 0x2013, 0x2014, 0x2015, 0x2026, 0x2019};
  Chars c1 = span(0x80, 0x9F);
  Chars bad = Chars{0xA6,  0xA4,  0xA8,   0xAC,   0xAF,   0xB8,   0x192,  0x2C6,  0x2C7, 0x2D8,
                    0x2DB, 0x2DC, 0x2020, 0x2021, 0x2030, 0x2310, 0x25CA, 0xFFFD, 0xAA,  0xBA};
  Chars law = Chars{0xB6, 0xA7};
  Chars currency = Chars{0xA2, 0xA3, 0xA5, 0x20A7, 0x20AC};
  Chars start_punctuation = Chars{0xA1,   0xAB,   0xBF,   0xA9,   0x384,  0x385, 0x2018,
                                  0x201A, 0x201C, 0x201E, 0x2022, 0x2039, 0xF8FF};
  Chars end_punctuation = Chars{0xAE, 0xBB, 0x2DD, 0x201D, 0x203A, 0x2122};
  Chars numeric = Chars{0xB2,   0xB3,   0xB9,   0xB1,   0xBC,   0xBD,   0xBE,   0xD7,   0xB5,
                        0xF7,   0x2044, 0x2202, 0x2206, 0x220F, 0x2211, 0x221A, 0x221E, 0x2229,
                        0x222B, 0x2248, 0x2260, 0x2261, 0x2264, 0x2265, 0x2116};
  Chars kaomoji = span(0xD2, 0xD6) + span(0xD9, 0xDC) + span(0xF2, 0xF6) + span(0xF8, 0xFC) +
                  Chars{0x150, 0x14C, 0x16A, 0x172, 0xB0};
  Chars upper_accented =
      span(0xC0, 0xD1) + Chars{0xD8,  0xDC,  0xDD,  0x102, 0x100, 0x104, 0x106, 0x10C,
                               0x10E, 0x110, 0x118, 0x11A, 0x112, 0x116, 0x11E, 0x122,
                               0x130, 0x12A, 0x136, 0x139, 0x13D, 0x141, 0x13B, 0x143,
                               0x147, 0x145, 0x152, 0x158, 0x15A, 0x15E, 0x160, 0x162,
                               0x164, 0x16E, 0x170, 0x178, 0x179, 0x17B, 0x17D, 0x490};
  Chars lower_accented =
      Chars{0xDF} + span(0xE0, 0xF1) +
      Chars{0x103, 0x105, 0x101, 0x107, 0x10D, 0x10F, 0x111, 0x119, 0x11B, 0x113,  0x117,
            0x11F, 0x123, 0x12F, 0x12B, 0x137, 0x13A, 0x13E, 0x142, 0x13C, 0x153,  0x155,
            0x15B, 0x15F, 0x161, 0x165, 0xFC,  0x17A, 0x17C, 0x17E, 0x491, 0xFB01, 0xFB02};
  Chars upper_common = Chars{0xDE} + span(0x391, 0x3A9) +
                       Chars{0x386, 0x388, 0x389, 0x38A, 0x38C, 0x38E, 0x38F, 0x3AA, 0x3AB} +
                       span(0x401, 0x42F);
  Chars lower_common =
      span(0x3B1, 0x3C9) + Chars{0x3AC, 0x3AD, 0x3AE, 0x3AF, 0x3B0} + span(0x430, 0x45F);
  Chars box = Chars{0x2502, 0x250C, 0x2510, 0x2518, 0x251C, 0x2524, 0x252C, 0x253C} +
              span(0x2550, 0x256C) +
              Chars{0x2580, 0x2584, 0x2588, 0x258C, 0x2590, 0x2591, 0x2592, 0x2593};
};

std::string escaped(char32_t c) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\x{%X}", static_cast<unsigned>(c));
  return buf;
}

// "[...]" of the given characters (or "[^...]" when negated).
std::string cls(const Chars& chars, bool negated = false) {
  std::string out = negated ? "[^" : "[";
  for (char32_t c : chars) out += escaped(c);
  return out + "]";
}

std::string lit(const Chars& chars) {
  std::string out;
  for (char32_t c : chars) out += escaped(c);
  return out;
}

// ftfy's BADNESS_RE, alternative by alternative.
std::string badness_pattern() {
  const Categories k;
  const Chars a_z = span(U'a', U'z'), a_zA_Z = span(U'a', U'z') + span(U'A', U'Z');
  const Chars sp{U' '};
  std::vector<std::string> alts = {
      cls(k.c1),
      cls(k.bad + k.lower_accented + k.upper_accented + k.box + k.start_punctuation +
          k.end_punctuation + k.currency + k.numeric + k.law) +
          cls(k.bad),
      cls(a_zA_Z) + cls(k.lower_common + k.upper_common) + cls(k.bad),
      cls(k.bad) + cls(k.lower_accented + k.upper_accented + k.box + k.start_punctuation +
                       k.end_punctuation + k.currency + k.numeric + k.law),
      cls(k.lower_accented + k.lower_common + k.box + k.end_punctuation + k.currency + k.numeric) +
          cls(k.upper_accented),
      cls(k.box + k.end_punctuation + k.currency + k.numeric) + cls(k.lower_accented),
      cls(k.lower_accented + k.box + k.end_punctuation) + cls(k.currency),
      "\\s" + cls(k.upper_accented) + cls(k.currency),
      cls(k.upper_accented + k.box) + cls(k.numeric + k.law),
      cls(k.lower_accented + k.upper_accented + k.box + k.currency + k.end_punctuation) +
          cls(k.start_punctuation) + cls(k.numeric),
      cls(k.lower_accented + k.upper_accented + k.currency + k.numeric + k.box + k.law) +
          cls(k.end_punctuation) + cls(k.start_punctuation),
      cls(k.currency + k.numeric + k.box) + cls(k.start_punctuation),
      cls(a_z) + cls(k.upper_accented) + cls(k.start_punctuation + k.currency),
      cls(k.box) + cls(k.kaomoji),
      cls(k.lower_accented + k.upper_accented + k.currency + k.numeric + k.start_punctuation +
          k.end_punctuation + k.law) +
          cls(k.box),
      cls(k.box) + cls(k.end_punctuation),
      cls(k.lower_accented + k.upper_accented) + cls(k.start_punctuation + k.end_punctuation) +
          "\\w",
      // the ligature œ when not followed by an unaccented Latin letter
      cls(Chars{0x152, 0x153}) + cls(a_zA_Z, /*negated=*/true),
      // degree signs after capital letters
      cls(k.upper_accented) + escaped(0xB0),
      // common Windows-1252 2-character mojibake not covered above
      cls(Chars{0xC2, 0xC3, 0xCE, 0xD0}) +
          cls(Chars{0x20AC, 0x153, 0x160, 0x161, 0xA2, 0xA3, 0x178, 0x17E, 0xA0, 0xAD, 0xAE, 0xA9,
                    0xB0, 0xB7, 0xBB} +
              k.start_punctuation + k.end_punctuation + Chars{0x2013, 0x2014, 0xB4}),
      escaped(0xD7) + cls(Chars{0xB2, 0xB3}),
      // Windows-1252 mojibake of Arabic words: four characters
      cls(Chars{0xD8, 0xD9}) +
          cls(k.common + k.currency + k.bad + k.numeric + k.start_punctuation +
              Chars{0x178, 0x160, 0xAE, 0xB0, 0xB5, 0xBB}) +
          cls(Chars{0xD8, 0xD9}) +
          cls(k.common + k.currency + k.bad + k.numeric + k.start_punctuation +
              Chars{0x178, 0x160, 0xAE, 0xB0, 0xB5, 0xBB}),
      // Windows-1252 starts of 3-character South Asian sequences
      escaped(0xE0) + cls(Chars{0xB2, 0xB5, 0xB9, 0xBC, 0xBD, 0xBE}),
      // MacRoman mojibake
      escaped(0x221A) + cls(Chars{0xB1, 0x2202, 0x2020, 0x2260, 0xAE, 0x2122, 0xB4, 0x2264, 0x2265,
                                  0xA5, 0xB5, 0xF8}),
      escaped(0x2248) + cls(Chars{0xB0, 0xA2}),
      lit(Chars{0x201A, 0xC4}) +
          cls(Chars{0xEC, 0xEE, 0xEF, 0xF2, 0xF4, 0xFA, 0xF9, 0xFB, 0x2020, 0xB0, 0xA2, 0x3C0}),
      escaped(0x201A) + cls(Chars{0xE2, 0xF3}) + cls(Chars{0xE0, 0xE4, 0xB0, 0xEA}),
      // Windows-1251 mojibake of U+2000-range characters, Latin-1 and Cyrillic
      lit(Chars{0x432, 0x402}),
      cls(Chars{0x412, 0x413, 0x420, 0x421}) +
          cls(k.c1 + k.bad + k.start_punctuation + k.end_punctuation + k.currency +
              Chars{0xB0, 0xB5}) +
          cls(Chars{0x412, 0x413, 0x420, 0x421}),
      lit(Chars{0x413, 0x45E, 0x412, 0x402, 0x412}) + "." + cls(a_zA_Z + sp),
      // Windows-1252 encodings of 'à' and 'á', and of U+A0 itself
      escaped(0xC3) + cls(Chars{0xA0, 0xA1}),
      cls(a_z) + "\\s?" + cls(Chars{0xC3, 0xC2}) + " ",
      "^" + cls(Chars{0xC3, 0xC2}) + " ",
      // Â standing for exactly the character it precedes
      cls(a_z + Chars{U'.', U',', U'?', U'!'} + k.end_punctuation) + escaped(0xC2) +
          cls(sp + k.start_punctuation + k.end_punctuation),
      // Windows-1253 mojibake of U+2000-range characters, Latin-1 and Greek
      lit(Chars{0x3B2, 0x20AC}) + cls(Chars{0x2122, 0xA0, 0x386, 0xAD, 0xAE, 0xB0}),
      cls(Chars{0x392, 0x393, 0x39E, 0x39F}) +
          cls(k.c1 + k.bad + k.start_punctuation + k.end_punctuation + k.currency + Chars{0xB0}) +
          cls(Chars{0x392, 0x393, 0x39E, 0x39F}),
      // Windows-1257 mojibake of U+2000-range characters
      lit(Chars{0x101, 0x20AC}),
  };
  std::string pattern;
  for (const auto& alt : alts) pattern += (pattern.empty() ? "(?:" : "|(?:") + alt + ")";
  return pattern;
}

// ftfy's UTF8_CLUES, derived from the Latin-1-like code pages: the characters that the lead
// bytes of 2/3/4-byte UTF-8 sequences and the continuation bytes decode to.
std::string utf8_detector_pattern() {
  std::set<char32_t> first2, first3, first4, continuation;
  for (const char* name :
       {"latin-1", "sloppy-windows-1250", "sloppy-windows-1251", "sloppy-windows-1252",
        "sloppy-windows-1253", "sloppy-windows-1254", "sloppy-windows-1257"}) {
    const SingleByteCodec& codec = SingleByteCodec::get(name);
    for (int b = 0x80; b <= 0xFF; ++b) {
      const auto c = codec.decode_byte(static_cast<unsigned char>(b));
      if (!c) continue;
      if (b <= 0xBF)
        continuation.insert(*c);
      else if (b >= 0xC2 && b <= 0xDF)
        first2.insert(*c);
      else if (b >= 0xE0 && b <= 0xEF)
        first3.insert(*c);
      else if (b == 0xF0 || b == 0xF3)
        first4.insert(*c);
    }
  }
  // A strict continuation excludes what often stands for itself next to mojibake: spaces,
  // dashes, bullets, quotation marks and ellipses.
  std::set<char32_t> strict = continuation;
  for (char32_t c :
       {0x2013, 0x2014, 0x2015, 0x2018, 0x2019, 0x201A, 0x201C, 0x201D, 0x201E, 0x2022, 0x2026})
    strict.erase(c);
  continuation.insert(U' ');  // a space may stand for a lost U+00A0
  auto as_class = [](const std::set<char32_t>& s) { return cls(Chars(s.begin(), s.end())); };
  const std::string cont = as_class(continuation);
  return "(?<!" + as_class(strict) + ")(?:" + as_class(first2) + cont + "|" + as_class(first3) +
         cont + "{2}|" + as_class(first4) + cont + "{3})+";
}

std::unique_ptr<icu::RegexPattern> compile(const std::string& pattern) {
  UErrorCode status = U_ZERO_ERROR;
  UParseError parse_error;
  std::unique_ptr<icu::RegexPattern> compiled(
      icu::RegexPattern::compile(icu::UnicodeString::fromUTF8(pattern), 0, parse_error, status));
  if (U_FAILURE(status))
    throw std::logic_error(std::string("mojibake pattern does not compile: ") +
                           u_errorName(status));
  return compiled;
}

const icu::RegexPattern& badness_regex() {
  static const auto compiled = compile(badness_pattern());
  return *compiled;
}

const icu::RegexPattern& utf8_detector_regex() {
  static const auto compiled = compile(utf8_detector_pattern());
  return *compiled;
}

}  // namespace

bool looks_like_mojibake(std::u32string_view text) {
  const icu::UnicodeString input = to_unicode_string(text);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> matcher(badness_regex().matcher(input, status));
  if (U_FAILURE(status)) throw std::runtime_error("ICU regex matcher failed");
  return matcher->find(status);
}

std::vector<std::pair<size_t, size_t>> find_utf8_lookalike_runs(std::u32string_view text) {
  const icu::UnicodeString input = to_unicode_string(text);
  UErrorCode status = U_ZERO_ERROR;
  std::unique_ptr<icu::RegexMatcher> matcher(utf8_detector_regex().matcher(input, status));
  if (U_FAILURE(status)) throw std::runtime_error("ICU regex matcher failed");
  std::vector<std::pair<size_t, size_t>> runs;
  while (matcher->find(status) && U_SUCCESS(status)) {
    // UTF-16 offsets -> code point offsets
    const int32_t begin16 = matcher->start(status), end16 = matcher->end(status);
    const auto begin = static_cast<size_t>(input.countChar32(0, begin16));
    const auto end = begin + static_cast<size_t>(input.countChar32(begin16, end16 - begin16));
    runs.emplace_back(begin, end);
  }
  return runs;
}

}  // namespace deltaedit::text
