#pragma once
// Resident memory of this process from /proc (Linux): the peak can be reset, so the extra memory
// one operation needs is peak-after minus resident-before.
#include <cstdint>
#include <functional>

namespace deltaedit::bench {

int64_t resident_bytes();  // VmRSS
int64_t peak_resident_bytes();  // VmHWM
void reset_peak_resident();     // writes 5 to /proc/self/clear_refs

// Runs `fn` once and returns the peak resident bytes above the resident size before it.
int64_t extra_peak_bytes(const std::function<void()>& fn);

}  // namespace deltaedit::bench
