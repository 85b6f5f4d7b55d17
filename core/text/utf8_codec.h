#pragma once
// UTF-8 <-> code points. Prompts arrive as UTF-8 from the UI; invalid bytes must never crash the
// tokenizer, so decoding replaces each maximal invalid subsequence with U+FFFD exactly as
// Python's bytes.decode("utf-8", "replace") does.
#include <optional>
#include <string>
#include <string_view>

namespace deltaedit::text {

// Lenient decode: invalid sequences become U+FFFD (Python's "replace" error handler).
std::u32string decode_utf8_lenient(std::string_view bytes);

// Strict decode (Python's "utf-8" codec): nullopt on any invalid sequence. With
// allow_cesu_variants, surrogate pairs encoded as two 3-byte sequences and the Java-style
// C0 80 for U+0000 are also accepted (ftfy's "utf-8-variants" codec).
std::optional<std::u32string> decode_utf8_strict(std::string_view bytes,
                                                 bool allow_cesu_variants = false);

// Encodes code points as UTF-8 (lone surrogates are written as their 3-byte form, as Python's
// "surrogatepass" would; they never reach the tokenizer because ftfy replaces them).
std::string encode_utf8(std::u32string_view text);
void append_utf8(std::string& out, char32_t c);

}  // namespace deltaedit::text
