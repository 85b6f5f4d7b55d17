#pragma once
// HTML character references, decoded two ways:
//  - python_html_unescape: Python's html.unescape (HTML5 rules: named references with and
//    without ';', longest-prefix matching, numeric references with the HTML5 fix-ups).
//  - ftfy_unescape_html: ftfy's stricter fixer, which only decodes complete '&name;' /
//    '&#nn;' references (plus all-caps spellings such as '&EACUTE;').
// Entity tables: html_entities_data.inc, generated from Python's html module.
#include <string>
#include <string_view>

namespace deltaedit::text {

std::u32string python_html_unescape(std::u32string_view text);
std::u32string ftfy_unescape_html(std::u32string_view text);

}  // namespace deltaedit::text
