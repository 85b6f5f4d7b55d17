#include "core/text/mojibake_repair.h"

#include <algorithm>
#include <array>
#include <bitset>
#include <optional>
#include <vector>

#include "core/text/ftfy_fixes.h"
#include "core/text/mojibake_badness.h"
#include "core/text/single_byte_codecs.h"
#include "core/text/utf8_codec.h"

namespace deltaedit::text {
namespace {

// A byte pattern: one set of allowed bytes per position (enough for ftfy's byte regexes).
using ByteSet = std::bitset<256>;
using BytePattern = std::vector<ByteSet>;

ByteSet bytes(std::initializer_list<std::pair<int, int>> ranges) {
  ByteSet set;
  for (auto [lo, hi] : ranges)
    for (int b = lo; b <= hi; ++b) set.set(static_cast<size_t>(b));
  return set;
}
ByteSet one(int b) { return bytes({{b, b}}); }

bool matches_at(const std::string& s, size_t i, const BytePattern& pattern) {
  if (i + pattern.size() > s.size()) return false;
  for (size_t k = 0; k < pattern.size(); ++k)
    if (!pattern[k].test(static_cast<unsigned char>(s[i + k]))) return false;
  return true;
}

// Length of the first alternative matching at i, 0 if none.
size_t match_any(const std::string& s, size_t i, const std::vector<BytePattern>& alternatives) {
  for (const auto& pattern : alternatives)
    if (matches_at(s, i, pattern)) return pattern.size();
  return 0;
}

// ftfy's ALTERED_UTF8_RE: UTF-8 sequences whose byte A0 was turned into a space.
const std::vector<BytePattern>& altered_utf8() {
  static const auto patterns = [] {
    const ByteSet sp = one(0x20), cont = bytes({{0x80, 0xBF}});
    const ByteSet cont_no_85_a0 = bytes({{0x80, 0x84}, {0x86, 0x9F}, {0xA1, 0xBF}});
    return std::vector<BytePattern>{
        {bytes({{0xC2, 0xC3}, {0xC5, 0xC5}, {0xCE, 0xCE}, {0xD0, 0xD0}, {0xD9, 0xD9}}), sp},
        {bytes({{0xE2, 0xE3}}), sp, cont_no_85_a0},
        {bytes({{0xE0, 0xE3}}), cont_no_85_a0, sp},
        {one(0xF0), sp, cont, cont},
        {one(0xF0), cont, sp, cont},
        {one(0xF0), cont, cont, sp},
    };
  }();
  return patterns;
}

// ftfy's LOSSY_UTF8_RE: UTF-8 sequences with bytes lost to 0x1A (or one '?').
const std::vector<BytePattern>& lossy_utf8() {
  static const auto patterns = [] {
    const ByteSet sub = one(0x1A), sub_q = bytes({{0x1A, 0x1A}, {'?', '?'}});
    const ByteSet sub_cont = bytes({{0x1A, 0x1A}, {0x80, 0xBF}});
    const ByteSet sub_q_cont = bytes({{0x1A, 0x1A}, {'?', '?'}, {0x80, 0xBF}});
    const ByteSet lead3 = bytes({{0xE0, 0xEF}}), lead4 = bytes({{0xF0, 0xF4}});
    const ByteSet ed = one(0xED), hi_sur = bytes({{0xA0, 0xAF}}), lo_sur = bytes({{0xB0, 0xBF}});
    return std::vector<BytePattern>{
        {bytes({{0xC2, 0xDF}}), sub},
        {bytes({{0xC2, 0xC3}}), one('?')},
        {ed, hi_sur, sub_q, ed, lo_sur, sub_q_cont},
        {ed, hi_sur, sub_q_cont, ed, lo_sur, sub_q},
        {lead3, sub_q, sub_cont},
        {lead3, sub_cont, sub_q},
        {lead4, sub_q, sub_cont, sub_cont},
        {lead4, sub_cont, sub_q, sub_cont},
        {lead4, sub_cont, sub_cont, sub_q},
        {sub},
    };
  }();
  return patterns;
}

bool contains_match(const std::string& s, const std::vector<BytePattern>& alternatives) {
  for (size_t i = 0; i < s.size(); ++i)
    if (match_any(s, i, alternatives) > 0) return true;
  return false;
}

// "\xC3 " that is a lone word 'à' gets its A0 back while keeping the space, except before
// the Portuguese contractions "às", "àquele", "àquela", "àquilo".
std::string restore_a_grave_words(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (static_cast<unsigned char>(s[i]) == 0xC3 && i + 1 < s.size() && s[i + 1] == ' ') {
      const std::string_view rest = std::string_view(s).substr(i + 2);
      const bool exception = rest.substr(0, 1) == " " || rest.substr(0, 5) == "quele" ||
                             rest.substr(0, 5) == "quela" || rest.substr(0, 5) == "quilo" ||
                             rest.substr(0, 2) == "s ";
      if (!exception) {
        out += "\xC3\xA0 ";
        ++i;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

std::string restore_byte_a0(const std::string& s) {
  const std::string restored = restore_a_grave_words(s);
  std::string out;
  for (size_t i = 0; i < restored.size();) {
    if (const size_t n = match_any(restored, i, altered_utf8()); n > 0) {
      for (size_t k = 0; k < n; ++k)
        out.push_back(restored[i + k] == ' ' ? '\xA0' : restored[i + k]);
      i += n;
    } else {
      out.push_back(restored[i++]);
    }
  }
  return out;
}

std::string replace_lossy_sequences(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    if (const size_t n = match_any(s, i, lossy_utf8()); n > 0) {
      out += "\xEF\xBF\xBD";
      i += n;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

bool is_ascii(std::u32string_view text) {
  return std::all_of(text.begin(), text.end(), [](char32_t c) { return c < 0x80; });
}

// Re-decodes each embedded run of UTF-8 look-alikes that is itself mojibake.
std::u32string decode_inconsistent_utf8(std::u32string_view text) {
  std::u32string out;
  size_t pos = 0;
  for (const auto& [begin, end] : find_utf8_lookalike_runs(text)) {
    out += text.substr(pos, begin - pos);
    const std::u32string_view run = text.substr(begin, end - begin);
    if (run.size() < text.size() && looks_like_mojibake(run))
      out += fix_encoding(run);
    else
      out += run;
    pos = end;
  }
  out += text.substr(pos);
  return out;
}

// One step of ftfy's _fix_encoding_one_step_and_explain; returns the text unchanged when no
// step applies.
std::u32string fix_encoding_one_step(std::u32string_view text) {
  if (text.empty() || is_ascii(text) || !looks_like_mojibake(text)) return std::u32string(text);

  bool latin1_possible = false;
  for (const SingleByteCodec* codec : SingleByteCodec::mojibake_candidates()) {
    if (!codec->can_encode(text)) continue;
    if (codec->name() == "latin-1") latin1_possible = true;
    std::string encoded = *codec->encode(text);
    if (codec->name() != "macroman" && contains_match(encoded, altered_utf8()))
      encoded = restore_byte_a0(encoded);
    if (codec->sloppy()) encoded = replace_lossy_sequences(encoded);
    const bool variants =
        encoded.find('\xED') != std::string::npos || encoded.find('\xC0') != std::string::npos;
    if (auto decoded = decode_utf8_strict(encoded, variants)) return *decoded;
  }

  if (!find_utf8_lookalike_runs(text).empty()) {
    std::u32string fixed = decode_inconsistent_utf8(text);
    if (fixed != text) return fixed;
  }

  // Latin-1 text with C1 controls was probably meant as Windows-1252 (ftfy never finds the
  // strict "windows-1252" among its candidates, so this is tried whenever Latin-1 fits).
  if (latin1_possible) {
    const auto latin1 = SingleByteCodec::get("latin-1").encode(text);
    if (auto fixed = SingleByteCodec::get("windows-1252").decode(*latin1); fixed && *fixed != text)
      return *fixed;
  }

  if (std::any_of(text.begin(), text.end(), [](char32_t c) { return c >= 0x80 && c <= 0x9F; }))
    return fix_c1_controls(text);
  return std::u32string(text);
}

}  // namespace

std::u32string fix_encoding(std::u32string_view text) {
  std::u32string current(text);
  while (true) {
    std::u32string next = fix_encoding_one_step(current);
    if (next == current) return current;
    current = std::move(next);
  }
}

}  // namespace deltaedit::text
