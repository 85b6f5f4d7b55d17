#pragma once
// StyleGAN2's modulated convolution (rosinality ModulatedConv2d). The style that scales the
// input channels is passed in already modulated (an S-space slice), so the same module serves
// W+ rendering (style = modulation(w)) and S-space rendering (style = s) alike.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/nets/common/equal_linear.h"
#include "core/nets/stylegan2/upfirdn2d.h"

namespace deltaedit::nets {

class ModulatedConv2dImpl : public torch::nn::Module {
 public:
  ModulatedConv2dImpl(int64_t in_channel, int64_t out_channel, int64_t kernel_size,
                      int64_t style_dim, bool demodulate, bool upsample,
                      const std::vector<double>& blur_kernel);

  // The per-input-channel style of a W code: [B, style_dim] -> [B, in_channel].
  torch::Tensor style(const torch::Tensor& w) { return modulation(w); }

  // x [B, in, H, W], style [B, in] -> [B, out, H, W] (or [B, out, 2H, 2W] when upsampling).
  // In grad mode a batch takes forward_unfused: the same numbers (to rounding), but plain
  // convolutions with a shared weight, which train far faster than B-group convolutions.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& style);
  torch::Tensor forward_unfused(const torch::Tensor& x, const torch::Tensor& style);

  int64_t in_channel, out_channel, kernel_size;
  bool demodulate, upsample;
  double scale;                     // 1 / sqrt(fan_in), equalized learning rate
  torch::Tensor weight;             // [1, out, in, k, k]
  EqualLinear modulation{nullptr};  // style_dim -> in, bias initialised to 1
  Blur blur{nullptr};               // only when upsampling
};
TORCH_MODULE(ModulatedConv2d);

}  // namespace deltaedit::nets
