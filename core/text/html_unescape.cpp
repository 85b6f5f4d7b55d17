#include "core/text/html_unescape.h"

#include <algorithm>
#include <unordered_map>

#include "core/text/utf8_codec.h"

namespace deltaedit::text {
namespace {

struct HtmlEntity {
  const char* name;   // without the leading '&'
  const char* value;  // UTF-8
};
struct InvalidCharref {
  char32_t number;
  const char* value;  // UTF-8
};

#include "core/text/html_entities_data.inc"

using EntityMap = std::unordered_map<std::u32string, std::u32string>;

EntityMap make_map(const HtmlEntity* begin, const HtmlEntity* end) {
  EntityMap map;
  for (const HtmlEntity* e = begin; e != end; ++e)
    map.emplace(decode_utf8_lenient(e->name), decode_utf8_lenient(e->value));
  return map;
}

const EntityMap& html5_entities() {
  static const EntityMap map = make_map(std::begin(kHtml5Entities), std::end(kHtml5Entities));
  return map;
}

// ftfy's HTML_ENTITIES: the html5 names that end in ';', plus the all-caps spellings.
const EntityMap& ftfy_entities() {
  static const EntityMap map = [] {
    EntityMap m;
    for (const auto& [name, value] : html5_entities())
      if (!name.empty() && name.back() == U';') m.emplace(name, value);
    for (const auto& e : kUppercaseEntities)
      m.emplace(decode_utf8_lenient(e.name), decode_utf8_lenient(e.value));
    return m;
  }();
  return map;
}

bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }
bool is_ascii_hex(char32_t c) {
  return is_ascii_digit(c) || (c >= U'a' && c <= U'f') || (c >= U'A' && c <= U'F');
}
bool is_ascii_alnum(char32_t c) {
  return is_ascii_digit(c) || (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
}

// Python's html._replace_charref for a numeric reference's value (saturated above 0x10FFFF).
std::u32string numeric_reference(uint64_t number) {
  for (const auto& ref : kInvalidCharrefs)
    if (ref.number == number) return decode_utf8_lenient(ref.value);
  if ((number >= 0xD800 && number <= 0xDFFF) || number > 0x10FFFF) return U"\uFFFD";
  if (std::find(std::begin(kInvalidCodepoints), std::end(kInvalidCodepoints), number) !=
      std::end(kInvalidCodepoints))
    return U"";
  return std::u32string(1, static_cast<char32_t>(number));
}

uint64_t parse_number(std::u32string_view digits, int base) {
  uint64_t value = 0;
  for (char32_t c : digits) {
    const int d = is_ascii_digit(c) ? int(c - U'0') : int((c | 0x20) - U'a') + 10;
    value = value * base + d;
    if (value > 0x10FFFF) return 0x110000;  // anything this large maps to U+FFFD
  }
  return value;
}

// One reference starting at text[amp] == '&' following html.unescape's pattern; returns the
// length consumed (0: no reference here) and appends the replacement.
size_t python_reference(std::u32string_view text, size_t amp, std::u32string& out) {
  size_t i = amp + 1;
  if (i < text.size() && text[i] == U'#') {
    const bool hex = i + 1 < text.size() && (text[i + 1] == U'x' || text[i + 1] == U'X');
    size_t start = i + (hex ? 2 : 1), end = start;
    while (end < text.size() && (hex ? is_ascii_hex(text[end]) : is_ascii_digit(text[end]))) ++end;
    if (end == start) return 0;  // '&#' / '&#x' without digits is left as text
    out += numeric_reference(parse_number(text.substr(start, end - start), hex ? 16 : 10));
    if (end < text.size() && text[end] == U';') ++end;
    return end - amp;
  }
  // Named: [^\t\n\f <&#;]{1,32};?
  size_t end = i;
  while (end < text.size() && end - i < 32) {
    const char32_t c = text[end];
    if (c == U'\t' || c == U'\n' || c == U'\f' || c == U' ' || c == U'<' || c == U'&' ||
        c == U'#' || c == U';')
      break;
    ++end;
  }
  if (end == i) return 0;
  if (end < text.size() && text[end] == U';') ++end;
  const std::u32string name(text.substr(i, end - i));
  const EntityMap& entities = html5_entities();
  if (auto it = entities.find(name); it != entities.end()) {
    out += it->second;
    return end - amp;
  }
  for (size_t x = name.size() - 1; x > 1; --x) {
    if (auto it = entities.find(name.substr(0, x)); it != entities.end()) {
      out += it->second;
      out += name.substr(x);
      return end - amp;
    }
  }
  out += U'&';
  out += name;
  return end - amp;
}

}  // namespace

std::u32string python_html_unescape(std::u32string_view text) {
  if (text.find(U'&') == std::u32string_view::npos) return std::u32string(text);
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    if (text[i] == U'&') {
      if (const size_t used = python_reference(text, i, out); used > 0) {
        i += used;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

std::u32string ftfy_unescape_html(std::u32string_view text) {
  std::u32string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    // &#?[0-9A-Za-z]{1,24};
    if (text[i] == U'&') {
      size_t start = i + 1;
      if (start < text.size() && text[start] == U'#') ++start;
      size_t end = start;
      while (end < text.size() && end - start < 24 && is_ascii_alnum(text[end])) ++end;
      if (end > start && end < text.size() && text[end] == U';') {
        const std::u32string_view reference = text.substr(i, end + 1 - i);
        const EntityMap& entities = ftfy_entities();
        if (auto it = entities.find(std::u32string(reference.substr(1))); it != entities.end()) {
          out += it->second;
        } else if (reference.substr(0, 2) == U"&#") {
          // Only a reference that html.unescape consumes completely (';' included) counts.
          std::u32string decoded = python_html_unescape(reference);
          out += decoded.find(U';') == std::u32string::npos ? decoded : std::u32string(reference);
        } else {
          out += reference;
        }
        i = end + 1;
        continue;
      }
    }
    out.push_back(text[i++]);
  }
  return out;
}

}  // namespace deltaedit::text
