#include "core/nets/stylegan2/to_rgb.h"

#include <stdexcept>

namespace deltaedit::nets {

ToRGBImpl::ToRGBImpl(int64_t in, int64_t style_dim, bool with_upsample,
                     const std::vector<double>& blur_kernel) {
  bias = register_parameter("bias", torch::zeros({1, 3, 1, 1}));
  if (with_upsample) upsample = register_module("upsample", Upsample(blur_kernel, 2));
  conv = register_module("conv", ModulatedConv2d(in, 3, 1, style_dim, /*demodulate=*/false,
                                                 /*upsample=*/false, blur_kernel));
}

torch::Tensor ToRGBImpl::forward(const torch::Tensor& x, const torch::Tensor& w,
                                 const torch::Tensor& skip) {
  // [B, in, H, W] -> [B, 3, H, W]
  torch::Tensor out = conv(x, conv->style(w)) + bias;
  if (skip.defined()) {
    if (!upsample) throw std::logic_error("ToRGB: the first toRGB layer takes no skip image");
    out = out + upsample(skip);  // [B, 3, H/2, W/2] -> [B, 3, H, W]
  }
  return out;
}

}  // namespace deltaedit::nets
