#include "core/nets/common/half_widen_kernel.h"

#if defined(__F16C__) && defined(__AVX__)
#include <immintrin.h>
#endif

namespace deltaedit::nets::kernels {

#if defined(__F16C__) && defined(__AVX__)
extern const bool kF16cKernelCompiled = true;

void widen_half_f16c(const uint16_t* src, float* dst, int64_t n) {
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {  // 8 halves -> 8 floats per instruction
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(src + i));
    _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(h));
  }
  for (; i < n; ++i) dst[i] = _cvtsh_ss(src[i]);
}
#else
extern const bool kF16cKernelCompiled = false;

void widen_half_f16c(const uint16_t*, float*, int64_t) {}
#endif

}  // namespace deltaedit::nets::kernels
