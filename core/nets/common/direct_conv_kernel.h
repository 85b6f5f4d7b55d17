#pragma once
// The AVX2/FMA inner loop of direct_conv.h, in plain C++ with no LibTorch headers: its
// translation unit is compiled with -mavx2 -mfma, and inline functions from shared headers
// compiled that way could be picked by the linker for code that runs on CPUs without AVX2.
#include <cstddef>
#include <cstdint>

namespace deltaedit::nets::kernels {

// A stride-1 convolution of one image: x [in, in_h, in_w] -> y [out, out_h, out_w], kernel
// kh x kw (each 1, 2 or 3), zero padding pad_h / pad_w on both sides. y may hold just a band
// of the output rows: [out, y_rows, out_w] starting at output row y_row0.
struct DirectConvShape {
  int64_t in = 0, out = 0, kh = 0, kw = 0;
  int64_t in_h = 0, in_w = 0, pad_h = 0, pad_w = 0;
  int64_t y_row0 = 0, y_rows = 0;  // y_rows 0: the whole output
  int64_t out_h() const { return in_h + 2 * pad_h - kh + 1; }
  int64_t out_w() const { return in_w + 2 * pad_w - kw + 1; }
  int64_t y_plane_rows() const { return y_rows > 0 ? y_rows : out_h(); }
};

// Output channels per register block and output pixels per row tile (3 AVX2 vectors).
constexpr int64_t kChannelBlock = 4;
constexpr int64_t kTileWidth = 24;

// Floats of the packed weight: [ceil(out / 4)][in][kh][kw][4], zero beyond `out`.
size_t packed_weight_floats(const DirectConvShape& s);
// w [out][in][kh][kw] -> the packed layout above.
void pack_weight(const DirectConvShape& s, const float* w, float* packed);

// Floats of the scratch one call of conv_rows_avx2 needs for `rows` output rows.
size_t scratch_floats(const DirectConvShape& s, int64_t rows);

// Whether this build has the AVX2 kernel (a constant, so reading it runs no AVX2 code). Every
// other function here may be called only on a CPU with AVX2 and FMA.
extern const bool kAvx2KernelCompiled;

// Output rows [row_begin, row_end) of all channels; bias [out] or nullptr. `scratch` holds
// scratch_floats(s, row_end - row_begin) floats.
void conv_rows_avx2(const DirectConvShape& s, const float* x, const float* packed,
                    const float* bias, float* y, int64_t row_begin, int64_t row_end,
                    float* scratch);

}  // namespace deltaedit::nets::kernels
