#include "bench/memory_probe.h"

#include <malloc.h>

#include <fstream>
#include <string>

namespace deltaedit::bench {
namespace {

int64_t status_kib(const std::string& key) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(key + ":", 0) == 0) return std::stoll(line.substr(key.size() + 1));
  return 0;
}

}  // namespace

int64_t resident_bytes() { return status_kib("VmRSS") * 1024; }
int64_t peak_resident_bytes() { return status_kib("VmHWM") * 1024; }

void reset_peak_resident() {
  std::ofstream out("/proc/self/clear_refs");
  out << "5";
}

int64_t extra_peak_bytes(const std::function<void()>& fn) {
  ::malloc_trim(0);  // free heap pages back to the system, so that reusing them counts too
  reset_peak_resident();
  const int64_t before = resident_bytes();
  fn();
  return peak_resident_bytes() - before;
}

}  // namespace deltaedit::bench
