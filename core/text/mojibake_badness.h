#pragma once
// ftfy 6.3.1's mojibake detectors: the "badness" heuristic (unlikely juxtapositions of the few
// hundred characters that UTF-8 mojibake produces) and the detector of embedded runs of
// UTF-8-looking single-byte characters. Both are ICU regular expressions built from ftfy's
// character categories.
#include <string_view>
#include <utility>
#include <vector>

namespace deltaedit::text {

// ftfy.badness.is_bad: true when the text contains a sequence that looks like mojibake.
bool looks_like_mojibake(std::u32string_view text);

// Spans [begin, end) of ftfy's UTF8_DETECTOR_RE matches (left to right, non-overlapping).
std::vector<std::pair<size_t, size_t>> find_utf8_lookalike_runs(std::u32string_view text);

}  // namespace deltaedit::text
