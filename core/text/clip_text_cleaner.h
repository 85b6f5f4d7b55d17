#pragma once
// CLIP's text normalisation before BPE (simple_tokenizer.py): ftfy.fix_text, html.unescape
// twice, strip, collapse whitespace runs to one space, strip, lower-case.
#include <string>
#include <string_view>

namespace deltaedit::text {

std::u32string clip_clean_text(std::u32string_view text);

// Python's str.isspace for one code point (what re's \s and str.strip use).
bool is_python_whitespace(char32_t c);

}  // namespace deltaedit::text
