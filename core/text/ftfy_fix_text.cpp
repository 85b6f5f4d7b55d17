#include "core/text/ftfy_fix_text.h"

#include "core/text/ftfy_fixes.h"
#include "core/text/html_unescape.h"
#include "core/text/mojibake_repair.h"

namespace deltaedit::text {
namespace {

// fix_and_explain: apply every fixer in ftfy's order until the segment stops changing.
std::u32string fix_segment(std::u32string text, bool unescape_html) {
  while (true) {
    const std::u32string original = text;
    if (unescape_html) text = ftfy_unescape_html(text);
    text = fix_encoding(text);
    text = fix_c1_controls(text);
    text = fix_latin_ligatures(text);
    text = fix_character_width(text);
    text = uncurl_quotes(text);
    text = fix_line_breaks(text);
    text = fix_surrogates(text);
    text = remove_terminal_escapes(text);
    text = remove_control_chars(text);
    text = normalize_nfc(text);
    if (text == original) return text;
  }
}

}  // namespace

std::u32string ftfy_fix_text(std::u32string_view text) {
  // Segments are lines (newline kept); "auto" HTML unescaping is switched off for good once a
  // segment contains '<', since that text is probably HTML whose entities are intended.
  constexpr size_t kMaxSegment = 1000000;  // ftfy's max_decode_length
  bool unescape_html = true;
  std::u32string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find(U'\n', pos);
    end = (end == std::u32string_view::npos) ? text.size() : end + 1;
    if (end - pos > kMaxSegment) end = pos + kMaxSegment;
    const std::u32string_view segment = text.substr(pos, end - pos);
    if (segment.find(U'<') != std::u32string_view::npos) unescape_html = false;
    out += fix_segment(std::u32string(segment), unescape_html);
    pos = end;
  }
  return out;
}

}  // namespace deltaedit::text
