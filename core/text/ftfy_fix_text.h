#pragma once
// ftfy.fix_text with ftfy 6.3.1's default configuration, as CLIP's basic_clean calls it.
#include <string>
#include <string_view>

namespace deltaedit::text {

std::u32string ftfy_fix_text(std::u32string_view text);

}  // namespace deltaedit::text
