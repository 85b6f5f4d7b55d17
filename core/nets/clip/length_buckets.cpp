#include "core/nets/clip/length_buckets.h"

namespace deltaedit::nets {

std::vector<std::pair<int64_t, int64_t>> length_buckets(const std::vector<int64_t>& len) {
  constexpr int64_t kMinRows = 8;
  const auto n = static_cast<int64_t>(len.size());
  std::vector<std::pair<int64_t, int64_t>> buckets;
  for (int64_t lo = 0; lo < n;) {
    int64_t hi = lo + 1;
    while (hi < n && (len[hi] == len[hi - 1] || hi - lo < kMinRows)) ++hi;
    buckets.emplace_back(lo, hi);
    lo = hi;
  }
  return buckets;
}

}  // namespace deltaedit::nets
