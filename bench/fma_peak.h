#pragma once
// The machine's measured single-precision FMA peak: what "fraction of peak" figures divide by.
#include <string>

namespace deltaedit::bench {

// GFLOP/s of `threads` threads running independent AVX2 FMA chains (0 if not x86-64 AVX2+FMA).
double measured_fma_peak_gflops(int threads);

// The CPU model name and the SIMD flags that matter here (avx2, fma, avx512f, avx512_bf16, amx).
std::string cpu_description();
bool cpu_has_bf16();

}  // namespace deltaedit::bench
