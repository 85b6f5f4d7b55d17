#include "core/nets/common/direct_conv.h"

#include <vector>

#include <ATen/Parallel.h>

#include "core/nets/common/direct_conv_kernel.h"

namespace deltaedit::nets {
namespace {

// Output rows per call of the kernel: enough that the band's extra kh - 1 input rows cost
// little, few enough that its input stays in the L2 cache.
constexpr int64_t kBandRows = 8;

// The kernel was built and this CPU runs it; checked here, in code built for the baseline CPU.
bool avx2_kernel_available() {
#if defined(__x86_64__)
  return kernels::kAvx2KernelCompiled && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
  return false;
#endif
}

}  // namespace

bool direct_conv2d_supported(const torch::Tensor& x, const torch::Tensor& w) {
  static const bool cpu_ok = avx2_kernel_available();
  return cpu_ok && x.device().is_cpu() && w.device().is_cpu() &&
         x.scalar_type() == torch::kFloat32 && w.scalar_type() == torch::kFloat32 &&
         x.dim() == 4 && x.size(0) == 1 && w.dim() == 4 && w.size(1) == x.size(1) &&
         w.size(2) >= 1 && w.size(2) <= 3 && w.size(3) >= 1 && w.size(3) <= 3;
}

torch::Tensor direct_conv2d(const torch::Tensor& x, const torch::Tensor& w,
                            const torch::Tensor& bias, int64_t pad_h, int64_t pad_w) {
  // x [1, I, H, W], w [O, I, kh, kw] -> [1, O, Ho, Wo]
  const int64_t out_h = x.size(2) + 2 * pad_h - w.size(2) + 1;
  return direct_conv2d_rows(x, w, bias, pad_h, pad_w, 0, out_h);
}

torch::Tensor direct_conv2d_rows(const torch::Tensor& x_in, const torch::Tensor& w_in,
                                 const torch::Tensor& bias_in, int64_t pad_h, int64_t pad_w,
                                 int64_t row_begin, int64_t row_end) {
  // x [1, I, H, W], w [O, I, kh, kw] -> [1, O, row_end - row_begin, Wo]
  TORCH_CHECK(direct_conv2d_supported(x_in, w_in), "direct_conv2d: unsupported input");
  kernels::DirectConvShape s;
  s.in = x_in.size(1);
  s.out = w_in.size(0);
  s.kh = w_in.size(2);
  s.kw = w_in.size(3);
  s.in_h = x_in.size(2);
  s.in_w = x_in.size(3);
  s.pad_h = pad_h;
  s.pad_w = pad_w;
  TORCH_CHECK(pad_h >= 0 && pad_w >= 0 && s.out_h() > 0 && s.out_w() > 0,
              "direct_conv2d: padding leaves no output");
  TORCH_CHECK(0 <= row_begin && row_begin < row_end && row_end <= s.out_h(),
              "direct_conv2d: output rows out of range");
  s.y_row0 = row_begin;
  s.y_rows = row_end - row_begin;
  const torch::Tensor x = x_in.contiguous();
  const torch::Tensor w = w_in.contiguous();
  torch::Tensor bias;
  if (bias_in.defined()) bias = bias_in.to(torch::kFloat32).contiguous();

  std::vector<float> packed(kernels::packed_weight_floats(s));
  kernels::pack_weight(s, w.data_ptr<float>(), packed.data());
  torch::Tensor y = torch::empty({1, s.out, s.y_rows, s.out_w()}, x.options());
  const float* xp = x.data_ptr<float>();
  const float* bp = bias.defined() ? bias.data_ptr<float>() : nullptr;
  float* yp = y.data_ptr<float>();
  at::parallel_for(row_begin, row_end, kBandRows, [&](int64_t begin, int64_t end) {
    std::vector<float> scratch(kernels::scratch_floats(s, kBandRows));
    for (int64_t r = begin; r < end; r += kBandRows)
      kernels::conv_rows_avx2(s, xp, packed.data(), bp, yp, r, std::min(end, r + kBandRows), scratch.data());
  });
  return y;
}

}  // namespace deltaedit::nets
