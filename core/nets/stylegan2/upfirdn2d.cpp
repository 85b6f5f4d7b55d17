#include "core/nets/stylegan2/upfirdn2d.h"

namespace deltaedit::nets {

torch::Tensor upfirdn2d(const torch::Tensor& x, const torch::Tensor& kernel, int64_t up,
                        int64_t pad0, int64_t pad1) {
  namespace F = torch::nn::functional;
  const int64_t B = x.size(0), C = x.size(1), H = x.size(2), W = x.size(3);
  // Every channel is filtered on its own: [B*C, 1, H, W].
  torch::Tensor y = x.reshape({B * C, 1, H, W});
  if (up > 1) {
    // Zero insertion: each pixel is followed by up-1 zeros along both axes.
    y = y.view({B * C, 1, H, 1, W, 1});
    y = torch::constant_pad_nd(y, {0, up - 1, 0, 0, 0, up - 1});
    y = y.view({B * C, 1, H * up, W * up});
  }
  // Negative pads crop, as in the reference.
  y = torch::constant_pad_nd(y, {pad0, pad1, pad0, pad1});
  const torch::Tensor w = kernel.flip({0, 1}).view({1, 1, kernel.size(0), kernel.size(1)});
  y = F::conv2d(y, w);
  return y.view({B, C, y.size(2), y.size(3)});
}

torch::Tensor make_fir_kernel(const std::vector<double>& taps, double gain) {
  const torch::Tensor k = torch::tensor(taps, torch::kFloat64);
  const torch::Tensor k2 = torch::outer(k, k);
  return (k2 / k2.sum() * gain).to(torch::kFloat32);
}

BlurImpl::BlurImpl(const std::vector<double>& taps, int64_t pad0_, int64_t pad1_,
                   int64_t upsample_factor)
    : pad0(pad0_), pad1(pad1_) {
  const double gain = upsample_factor > 1 ? double(upsample_factor * upsample_factor) : 1.0;
  kernel = register_buffer("kernel", make_fir_kernel(taps, gain));
}

torch::Tensor BlurImpl::forward(const torch::Tensor& x) {
  // [B, C, H, W] -> [B, C, H', W']
  return upfirdn2d(x, kernel, 1, pad0, pad1);
}

UpsampleImpl::UpsampleImpl(const std::vector<double>& taps, int64_t factor_) : factor(factor_) {
  kernel = register_buffer("kernel", make_fir_kernel(taps, double(factor * factor)));
  const int64_t p = static_cast<int64_t>(taps.size()) - factor;
  pad0 = (p + 1) / 2 + factor - 1;
  pad1 = p / 2;
}

torch::Tensor UpsampleImpl::forward(const torch::Tensor& x) {
  // [B, C, H, W] -> [B, C, H * factor, W * factor]
  return upfirdn2d(x, kernel, factor, pad0, pad1);
}

}  // namespace deltaedit::nets
