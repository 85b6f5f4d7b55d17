#pragma once
// How the text tower batches sequences of mixed lengths: a template ensemble mixes short and
// long prompts, and padding every row to the longest wastes work.
#include <cstdint>
#include <utility>
#include <vector>

namespace deltaedit::nets {

// Rows already sorted by ascending length, split into [begin, end) groups of one length each;
// a group keeps growing to at least 8 rows, so that tiny batches do not waste the threads.
std::vector<std::pair<int64_t, int64_t>> length_buckets(const std::vector<int64_t>& sorted_lengths);

}  // namespace deltaedit::nets
