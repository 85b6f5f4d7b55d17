#pragma once
// The character-level fixers of ftfy 6.3.1's fix_text, each on code points, each doing what the
// ftfy function of the same name does (the encoding repair lives in mojibake_repair.h).
#include <string>
#include <string_view>

namespace deltaedit::text {

std::u32string fix_c1_controls(std::u32string_view text);          // U+0080-9F as Windows-1252
std::u32string fix_latin_ligatures(std::u32string_view text);      // ﬁ -> fi, ĳ -> ij, ...
std::u32string fix_character_width(std::u32string_view text);      // fullwidth/halfwidth forms
std::u32string uncurl_quotes(std::u32string_view text);            // ‘’“” -> ' "
std::u32string fix_line_breaks(std::u32string_view text);          // CRLF, CR, U+2028/9, U+85
std::u32string fix_surrogates(std::u32string_view text);           // pairs joined, lone -> U+FFFD
std::u32string remove_terminal_escapes(std::u32string_view text);  // ESC [ digits/; letter
std::u32string remove_control_chars(std::u32string_view text);     // C0 (not \t\n\f\r), BOM, ...
std::u32string normalize_nfc(std::u32string_view text);

}  // namespace deltaedit::text
