#pragma once
// ftfy 6.3.1's fix_encoding: undoes UTF-8 text that was decoded with a single-byte code page
// ("cafÃ©" -> "café", "doesnâ€™t" -> "doesn’t"), repeatedly, only where the text looks like
// mojibake (see mojibake_badness.h).
#include <string>
#include <string_view>

namespace deltaedit::text {

std::u32string fix_encoding(std::u32string_view text);

}  // namespace deltaedit::text
