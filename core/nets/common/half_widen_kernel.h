#pragma once
// float16 -> float32 with the F16C instructions, in plain C++ with no LibTorch headers: its
// translation unit is compiled with -mf16c -mavx (see direct_conv_kernel.h for why).
#include <cstdint>

namespace deltaedit::nets::kernels {

// Whether this build has the F16C kernel (a constant, so reading it runs no F16C code).
extern const bool kF16cKernelCompiled;

// dst[i] = the float value of the IEEE half bits src[i], i < n. Only on CPUs with F16C and AVX.
void widen_half_f16c(const uint16_t* src, float* dst, int64_t n);

}  // namespace deltaedit::nets::kernels
