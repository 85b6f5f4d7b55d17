#include "core/text/clip_text_cleaner.h"

#include <unicode/locid.h>
#include <unicode/unistr.h>

#include "core/text/ftfy_fix_text.h"
#include "core/text/html_unescape.h"
#include "core/text/unicode_string_bridge.h"

namespace deltaedit::text {
namespace {

// re.sub(r'\s+', ' ', text).strip()
std::u32string collapse_whitespace(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  bool in_space = false;
  for (char32_t c : text) {
    if (is_python_whitespace(c)) {
      in_space = true;
      continue;
    }
    if (in_space && !out.empty()) out.push_back(U' ');
    in_space = false;
    out.push_back(c);
  }
  return out;
}

// Python's str.lower: full Unicode lower-case mapping (SpecialCasing, final sigma), no locale.
std::u32string lower_case(std::u32string_view text) {
  icu::UnicodeString s = to_unicode_string(text);
  s.toLower(icu::Locale::getRoot());
  return from_unicode_string(s);
}

}  // namespace

bool is_python_whitespace(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F ||
         c == 0x205F || c == 0x3000;
}

std::u32string clip_clean_text(std::u32string_view text) {
  const std::u32string fixed = ftfy_fix_text(text);
  const std::u32string unescaped = python_html_unescape(python_html_unescape(fixed));
  // collapse_whitespace also strips both ends, which covers basic_clean's strip().
  return lower_case(collapse_whitespace(unescaped));
}

}  // namespace deltaedit::text
