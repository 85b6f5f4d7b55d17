#pragma once
// toRGB (rosinality ToRGB): a 1x1 modulated conv without demodulation, plus a bias, added to
// the x2-upsampled running image of the previous resolution. Its style always comes from W+.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/nets/stylegan2/modulated_conv.h"
#include "core/nets/stylegan2/upfirdn2d.h"

namespace deltaedit::nets {

class ToRGBImpl : public torch::nn::Module {
 public:
  // `upsample` is false only for the first (4x4) toRGB, which has no skip input.
  ToRGBImpl(int64_t in_channel, int64_t style_dim, bool upsample,
            const std::vector<double>& blur_kernel);

  // x [B, in, H, W], w [B, style_dim], skip [B, 3, H/2, W/2] or undefined -> [B, 3, H, W]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& w,
                        const torch::Tensor& skip = {});

  torch::Tensor bias;          // [1, 3, 1, 1]
  Upsample upsample{nullptr};  // absent in the first toRGB
  ModulatedConv2d conv{nullptr};
};
TORCH_MODULE(ToRGB);

}  // namespace deltaedit::nets
