#pragma once
// CLIP's pre-tokenizer: the words that BPE sees, as re.findall with the `regex` package of
//   <\|startoftext\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|[\p{L}]+|[\p{N}]|[^\s\p{L}\p{N}]+
// under IGNORECASE, matched by hand with ICU character properties.
#include <string>
#include <string_view>
#include <vector>

namespace deltaedit::text {

std::vector<std::u32string> clip_pretokenize(std::u32string_view cleaned_text);

}  // namespace deltaedit::text
