// Compiled with -mavx2 -mfma (bench/CMakeLists.txt); only called when the CPU has both.
#include "bench/fma_peak.h"

#include <chrono>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace deltaedit::bench {
namespace {

std::set<std::string> cpu_flags() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("flags", 0) == 0) {
      std::istringstream words(line.substr(line.find(':') + 1));
      return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
    }
  return {};
}

#if defined(__x86_64__)
// 10 independent accumulators hide the FMA latency (4 cycles x 2 ports).
float fma_chains(long iterations) {
  // Named accumulators, not an array: they must stay in registers.
  __m256 a0 = _mm256_set1_ps(0.0f), a1 = _mm256_set1_ps(0.1f), a2 = _mm256_set1_ps(0.2f),
         a3 = _mm256_set1_ps(0.3f), a4 = _mm256_set1_ps(0.4f), a5 = _mm256_set1_ps(0.5f),
         a6 = _mm256_set1_ps(0.6f), a7 = _mm256_set1_ps(0.7f), a8 = _mm256_set1_ps(0.8f),
         a9 = _mm256_set1_ps(0.9f);
  const __m256 m = _mm256_set1_ps(0.9999f), b = _mm256_set1_ps(0.0001f);
  for (long it = 0; it < iterations; ++it) {
    a0 = _mm256_fmadd_ps(a0, m, b);
    a1 = _mm256_fmadd_ps(a1, m, b);
    a2 = _mm256_fmadd_ps(a2, m, b);
    a3 = _mm256_fmadd_ps(a3, m, b);
    a4 = _mm256_fmadd_ps(a4, m, b);
    a5 = _mm256_fmadd_ps(a5, m, b);
    a6 = _mm256_fmadd_ps(a6, m, b);
    a7 = _mm256_fmadd_ps(a7, m, b);
    a8 = _mm256_fmadd_ps(a8, m, b);
    a9 = _mm256_fmadd_ps(a9, m, b);
  }
  __m256 sum = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)),
                             _mm256_add_ps(_mm256_add_ps(a4, a5), _mm256_add_ps(a6, a7)));
  sum = _mm256_add_ps(sum, _mm256_add_ps(a8, a9));
  float out[8];
  _mm256_storeu_ps(out, sum);
  return out[0];
}
#endif

}  // namespace

double measured_fma_peak_gflops(int threads) {
#if defined(__x86_64__)
  const auto flags = cpu_flags();
  if (!flags.count("avx2") || !flags.count("fma")) return 0;
  const long iterations = 50'000'000;
  std::vector<std::thread> pool;
  std::vector<float> sink(threads);
  const auto t0 = std::chrono::steady_clock::now();
  for (int t = 0; t < threads; ++t) pool.emplace_back([&, t] { sink[t] = fma_chains(iterations); });
  for (auto& th : pool) th.join();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  volatile float keep = sink[0];
  (void)keep;
  return double(threads) * iterations * 10 * 8 * 2 / s / 1e9;
#else
  (void)threads;
  return 0;
#endif
}

std::string cpu_description() {
  std::ifstream in("/proc/cpuinfo");
  std::string line, model = "unknown CPU";
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      model = line.substr(line.find(':') + 2);
      break;
    }
  const auto flags = cpu_flags();
  std::string simd;
  for (const char* f : {"avx2", "fma", "f16c", "avx512f", "avx512_bf16", "amx_bf16"})
    if (flags.count(f)) simd += std::string(simd.empty() ? "" : " ") + f;
  return model + " [" + simd + "]";
}

bool cpu_has_bf16() {
  const auto flags = cpu_flags();
  return flags.count("avx512_bf16") || flags.count("amx_bf16");
}

}  // namespace deltaedit::bench
