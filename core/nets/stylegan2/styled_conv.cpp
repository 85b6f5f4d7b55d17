#include "core/nets/stylegan2/styled_conv.h"

#include "core/nets/common/fused_act.h"

namespace deltaedit::nets {

NoiseInjectionImpl::NoiseInjectionImpl() {
  weight = register_parameter("weight", torch::zeros({1}));
}

torch::Tensor NoiseInjectionImpl::forward(const torch::Tensor& x, const torch::Tensor& noise) {
  // [B, C, H, W] + [1] * [1, 1, H, W] -> [B, C, H, W]
  return x + weight * noise;
}

FusedLeakyReLUImpl::FusedLeakyReLUImpl(int64_t channels) {
  bias = register_parameter("bias", torch::zeros({channels}));
}

torch::Tensor FusedLeakyReLUImpl::forward(const torch::Tensor& x) {
  // [B, C, H, W] -> [B, C, H, W]
  return fused_leaky_relu(x, bias);
}

StyledConvImpl::StyledConvImpl(int64_t in, int64_t out, int64_t style_dim, bool upsample,
                               const std::vector<double>& blur_kernel) {
  conv = register_module(
      "conv", ModulatedConv2d(in, out, 3, style_dim, /*demodulate=*/true, upsample, blur_kernel));
  noise = register_module("noise", NoiseInjection());
  activate = register_module("activate", FusedLeakyReLU(out));
}

torch::Tensor StyledConvImpl::forward(const torch::Tensor& x, const torch::Tensor& style,
                                      const torch::Tensor& noise_image) {
  // [B, in, H, W] -> [B, out, H', W']
  return activate(noise(conv(x, style), noise_image));
}

}  // namespace deltaedit::nets
