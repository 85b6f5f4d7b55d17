#include "core/nets/stylegan2/modulated_conv.h"

#include <cmath>

namespace deltaedit::nets {

ModulatedConv2dImpl::ModulatedConv2dImpl(int64_t in, int64_t out, int64_t k, int64_t style_dim,
                                         bool demod, bool up,
                                         const std::vector<double>& blur_kernel)
    : in_channel(in),
      out_channel(out),
      kernel_size(k),
      demodulate(demod),
      upsample(up),
      scale(1.0 / std::sqrt(static_cast<double>(in * k * k))) {
  // Registration order follows the reference's state_dict: weight, blur, modulation.
  weight = register_parameter("weight", torch::randn({1, out, in, k, k}));
  if (upsample) {
    // Pads that centre the blur on the (k + 1)-wide output of the stride-2 transposed conv.
    const int64_t factor = 2;
    const int64_t p = (static_cast<int64_t>(blur_kernel.size()) - factor) - (k - 1);
    blur = register_module("blur", Blur(blur_kernel, (p + 1) / 2 + factor - 1, p / 2 + 1, factor));
  }
  modulation = register_module("modulation", EqualLinear(style_dim, in, 1.0, false, 1.0));
}

torch::Tensor ModulatedConv2dImpl::forward(const torch::Tensor& x, const torch::Tensor& style) {
  namespace F = torch::nn::functional;
  const int64_t B = x.size(0), H = x.size(2), W = x.size(3);
  const int64_t k = kernel_size;
  if (torch::GradMode::is_enabled() && B > 1) return forward_unfused(x, style);
  // One weight per sample: [B, out, in, k, k].
  torch::Tensor w = weight * scale * style.view({B, 1, in_channel, 1, 1});
  if (demodulate) {
    const torch::Tensor demod = torch::rsqrt(w.pow(2).sum({2, 3, 4}) + 1e-8);  // [B, out]
    w = w * demod.view({B, out_channel, 1, 1, 1});
  }
  // The batch goes into the channel axis so that one grouped conv serves every sample.
  const torch::Tensor grouped = x.reshape({1, B * in_channel, H, W});
  if (upsample) {
    // conv_transpose2d wants [in, out / groups, k, k] per group.
    const torch::Tensor wt = w.transpose(1, 2).reshape({B * in_channel, out_channel, k, k});
    torch::Tensor y = F::conv_transpose2d(
        grouped, wt, F::ConvTranspose2dFuncOptions().stride(2).padding(0).groups(B));
    y = y.view({B, out_channel, y.size(2), y.size(3)});  // [B, out, 2H + 1, 2W + 1]
    return blur(y);                                      // [B, out, 2H, 2W]
  }
  torch::Tensor y = F::conv2d(grouped, w.view({B * out_channel, in_channel, k, k}),
                              F::Conv2dFuncOptions().padding(k / 2).groups(B));
  return y.view({B, out_channel, H, W});
}

torch::Tensor ModulatedConv2dImpl::forward_unfused(const torch::Tensor& x,
                                                   const torch::Tensor& style) {
  namespace F = torch::nn::functional;
  const int64_t B = x.size(0);
  // Scaling the input by the style and the output by the demodulation equals convolving with
  // the per-sample weight, but the weight stays shared: [B, in, H, W] -> [B, out, H', W'].
  const torch::Tensor w = (weight * scale).squeeze(0);  // [out, in, k, k]
  const torch::Tensor xs = x * style.view({B, in_channel, 1, 1});
  torch::Tensor y;
  if (upsample) {
    y = blur(F::conv_transpose2d(xs, w.transpose(0, 1),
                                 F::ConvTranspose2dFuncOptions().stride(2).padding(0)));
  } else {
    y = F::conv2d(xs, w, F::Conv2dFuncOptions().padding(kernel_size / 2));
  }
  if (!demodulate) return y;
  // sum over in, k, k of (w * style)^2: [out, in] x [B, in]^T -> [B, out]
  const torch::Tensor demod =
      torch::rsqrt(torch::matmul(style.pow(2), w.pow(2).sum({2, 3}).t()) + 1e-8);
  return y * demod.view({B, out_channel, 1, 1});
}

}  // namespace deltaedit::nets
