// Compiled with -mavx2 -mfma where the compiler targets x86-64 (core/CMakeLists.txt). No code
// of this file runs before direct_conv.cpp (compiled for the baseline CPU) has checked that the
// CPU has both: even a CPU check compiled here could be given AVX instructions.
#include "core/nets/common/direct_conv_kernel.h"

#include <cstring>  // only C functions here: no template instantiated with AVX2 code

#if defined(__AVX2__) && defined(__FMA__)
#include <immintrin.h>
#define DELTAEDIT_HAVE_AVX2_KERNEL 1
#endif

namespace deltaedit::nets::kernels {
namespace {

int64_t round_up(int64_t v, int64_t m) { return (v + m - 1) / m * m; }

// A tile's input is copied to [rows + kh - 1][in][kTilePitch] before its output is computed,
// so the inner loop reads one compact block that stays in the L1/L2 cache (about 40 KB for 32
// channels) while every output-channel block and row of the tile uses it. Reading rows a whole
// image width apart instead missed the TLB on every channel at 1024 px, and a whole band's copy
// did not fit the L2 cache, which kept two threads waiting on memory.
constexpr int64_t kTilePitch = 32;  // >= kTileWidth + 3 - 1 (a tile and the kernel's overhang)

}  // namespace

size_t packed_weight_floats(const DirectConvShape& s) {
  return size_t(round_up(s.out, kChannelBlock) * s.in * s.kh * s.kw);
}

void pack_weight(const DirectConvShape& s, const float* w, float* packed) {
  const int64_t taps = s.kh * s.kw;
  for (int64_t ob = 0; ob < round_up(s.out, kChannelBlock) / kChannelBlock; ++ob)
    for (int64_t i = 0; i < s.in; ++i)
      for (int64_t t = 0; t < taps; ++t)
        for (int64_t o = 0; o < kChannelBlock; ++o) {
          const int64_t oc = ob * kChannelBlock + o;
          *packed++ = oc < s.out ? w[(oc * s.in + i) * taps + t] : 0.f;
        }
}

size_t scratch_floats(const DirectConvShape& s, int64_t rows) {
  // one tile's input, then one register block for ragged stores
  return size_t((rows + s.kh - 1) * s.in * kTilePitch + kChannelBlock * kTileWidth);
}

#if DELTAEDIT_HAVE_AVX2_KERNEL

const bool kAvx2KernelCompiled = true;

namespace {

// One register block: 4 output channels x 24 pixels of one output row, summed over every
// input channel and tap. `in` points at the tile's input for this output row, `w` at the
// block's packed weights; `plane` = floats between input channels, `pitch` between rows.
template <int KH, int KW>
inline void block_4x24(const float* in, int64_t channels, int64_t plane, int64_t pitch,
                       const float* w, const float* bias, float* out[4]) {
  // Twelve named accumulators: GCC keeps an array of them in memory, at a third of the speed.
  __m256 a00 = _mm256_set1_ps(bias[0]), a01 = a00, a02 = a00;
  __m256 a10 = _mm256_set1_ps(bias[1]), a11 = a10, a12 = a10;
  __m256 a20 = _mm256_set1_ps(bias[2]), a21 = a20, a22 = a20;
  __m256 a30 = _mm256_set1_ps(bias[3]), a31 = a30, a32 = a30;
  for (int64_t c = 0; c < channels; ++c, in += plane) {
#pragma GCC unroll 3
    for (int ky = 0; ky < KH; ++ky) {
      const float* row = in + ky * pitch;
#pragma GCC unroll 3
      for (int kx = 0; kx < KW; ++kx, w += 4) {
        const __m256 v0 = _mm256_loadu_ps(row + kx);
        const __m256 v1 = _mm256_loadu_ps(row + kx + 8);
        const __m256 v2 = _mm256_loadu_ps(row + kx + 16);
        __m256 b = _mm256_broadcast_ss(w);
        a00 = _mm256_fmadd_ps(v0, b, a00), a01 = _mm256_fmadd_ps(v1, b, a01), a02 = _mm256_fmadd_ps(v2, b, a02);
        b = _mm256_broadcast_ss(w + 1);
        a10 = _mm256_fmadd_ps(v0, b, a10), a11 = _mm256_fmadd_ps(v1, b, a11), a12 = _mm256_fmadd_ps(v2, b, a12);
        b = _mm256_broadcast_ss(w + 2);
        a20 = _mm256_fmadd_ps(v0, b, a20), a21 = _mm256_fmadd_ps(v1, b, a21), a22 = _mm256_fmadd_ps(v2, b, a22);
        b = _mm256_broadcast_ss(w + 3);
        a30 = _mm256_fmadd_ps(v0, b, a30), a31 = _mm256_fmadd_ps(v1, b, a31), a32 = _mm256_fmadd_ps(v2, b, a32);
      }
    }
  }
  _mm256_storeu_ps(out[0], a00), _mm256_storeu_ps(out[0] + 8, a01), _mm256_storeu_ps(out[0] + 16, a02);
  _mm256_storeu_ps(out[1], a10), _mm256_storeu_ps(out[1] + 8, a11), _mm256_storeu_ps(out[1] + 16, a12);
  _mm256_storeu_ps(out[2], a20), _mm256_storeu_ps(out[2] + 8, a21), _mm256_storeu_ps(out[2] + 16, a22);
  _mm256_storeu_ps(out[3], a30), _mm256_storeu_ps(out[3] + 8, a31), _mm256_storeu_ps(out[3] + 16, a32);
}

template <int KH, int KW>
void conv_rows(const DirectConvShape& s, const float* x, const float* packed, const float* bias,
               float* y, int64_t row_begin, int64_t row_end, float* scratch) {
  const int64_t rows = row_end - row_begin, band_rows = rows + KH - 1;
  const int64_t y_rows = s.y_plane_rows(), y_row = row_begin - s.y_row0, out_w = s.out_w();
  float* ragged = scratch + band_rows * s.in * kTilePitch;  // [4][24]: tiles past the row's end
  const int64_t blocks = round_up(s.out, kChannelBlock) / kChannelBlock;
  const int64_t block_floats = s.in * KH * KW * kChannelBlock;
  for (int64_t x0 = 0; x0 < out_w; x0 += kTileWidth) {
    const bool full_tile = x0 + kTileWidth <= out_w;
    // The tile's input, zero-padded, so the inner loop has no bounds checks: padded columns
    // [x0, x0 + 24 + kw - 1), that is input columns from x0 - pad_w.
    const int64_t first = x0 - s.pad_w, width = kTileWidth + KW - 1;
    const bool inside = first >= 0 && first + width <= s.in_w;
    for (int64_t r = 0; r < band_rows; ++r) {
      const int64_t iy = row_begin + r - s.pad_h;
      for (int64_t c = 0; c < s.in; ++c) {
        float* dst = scratch + (r * s.in + c) * kTilePitch;
        if (iy < 0 || iy >= s.in_h) {
          std::memset(dst, 0, sizeof(float) * width);
          continue;
        }
        const float* src = x + (c * s.in_h + iy) * s.in_w;
        if (inside) {
          std::memcpy(dst, src + first, sizeof(float) * width);
        } else {
          for (int64_t j = 0; j < width; ++j)
            dst[j] = first + j >= 0 && first + j < s.in_w ? src[first + j] : 0.f;
        }
      }
    }
    for (int64_t ob = 0; ob < blocks; ++ob) {
      const int64_t oc0 = ob * kChannelBlock;
      const bool direct = full_tile && oc0 + kChannelBlock <= s.out;
      float block_bias[4] = {0.f, 0.f, 0.f, 0.f};
      if (bias)
        for (int o = 0; o < 4 && oc0 + o < s.out; ++o) block_bias[o] = bias[oc0 + o];
      for (int64_t r = 0; r < rows; ++r) {
        const float* in = scratch + r * s.in * kTilePitch;
        float* out[4];
        for (int o = 0; o < 4; ++o)
          out[o] = direct ? y + ((oc0 + o) * y_rows + y_row + r) * out_w + x0 : ragged + o * kTileWidth;
        block_4x24<KH, KW>(in, s.in, kTilePitch, s.in * kTilePitch, packed + ob * block_floats, block_bias, out);
        if (!direct) {
          const int64_t valid = out_w - x0 < kTileWidth ? out_w - x0 : kTileWidth;
          for (int o = 0; o < 4 && oc0 + o < s.out; ++o)
            std::memcpy(y + ((oc0 + o) * y_rows + y_row + r) * out_w + x0, out[o], sizeof(float) * valid);
        }
      }
    }
  }
}

}  // namespace

void conv_rows_avx2(const DirectConvShape& s, const float* x, const float* packed,
                    const float* bias, float* y, int64_t row_begin, int64_t row_end,
                    float* scratch) {
  using Fn = void (*)(const DirectConvShape&, const float*, const float*, const float*, float*,
                      int64_t, int64_t, float*);
  static constexpr Fn table[3][3] = {{conv_rows<1, 1>, conv_rows<1, 2>, conv_rows<1, 3>},
                                     {conv_rows<2, 1>, conv_rows<2, 2>, conv_rows<2, 3>},
                                     {conv_rows<3, 1>, conv_rows<3, 2>, conv_rows<3, 3>}};
  table[s.kh - 1][s.kw - 1](s, x, packed, bias, y, row_begin, row_end, scratch);
}

#else  // no AVX2 in this build: direct_conv.h falls back to LibTorch

const bool kAvx2KernelCompiled = false;

void conv_rows_avx2(const DirectConvShape&, const float*, const float*, const float*, float*,
                    int64_t, int64_t, float*) {}

#endif

}  // namespace deltaedit::nets::kernels
