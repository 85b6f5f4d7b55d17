#pragma once
// GPT-2/CLIP's bytes_to_unicode: every byte gets a printable code point (printable Latin-1
// bytes map to themselves, the rest to U+0100 and up), so BPE can work on byte strings.
#include <array>
#include <string>
#include <string_view>

namespace deltaedit::text {

// The 256 code points in the order CLIP's vocabulary lists them (printable bytes first).
const std::array<char32_t, 256>& byte_alphabet_in_vocab_order();

// UTF-8 text of `utf8_bytes` with every byte replaced by its printable code point.
std::string bytes_to_printable(std::string_view utf8_bytes);

}  // namespace deltaedit::text
