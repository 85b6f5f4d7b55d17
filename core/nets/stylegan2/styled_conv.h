#pragma once
// One synthesis layer (rosinality StyledConv): modulated conv, then the layer's fixed noise
// image scaled by a learnt weight, then bias + leaky ReLU x sqrt(2).
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/nets/stylegan2/modulated_conv.h"

namespace deltaedit::nets {

// image + weight * noise; the noise [1, 1, H, W] is shared by the whole batch.
class NoiseInjectionImpl : public torch::nn::Module {
 public:
  NoiseInjectionImpl();
  // x [B, C, H, W], noise [1, 1, H, W] -> [B, C, H, W]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& noise);

  torch::Tensor weight;  // [1]
};
TORCH_MODULE(NoiseInjection);

// Bias on the channel axis, leaky ReLU (0.2), x sqrt(2).
class FusedLeakyReLUImpl : public torch::nn::Module {
 public:
  explicit FusedLeakyReLUImpl(int64_t channels);
  // [B, C, H, W] -> [B, C, H, W]
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor bias;  // [C]
};
TORCH_MODULE(FusedLeakyReLU);

class StyledConvImpl : public torch::nn::Module {
 public:
  StyledConvImpl(int64_t in_channel, int64_t out_channel, int64_t style_dim, bool upsample,
                 const std::vector<double>& blur_kernel);

  // x [B, in, H, W], style [B, in] (S slice), noise [1, 1, H', W'] -> [B, out, H', W']
  // (H' = 2H when upsampling).
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& style,
                        const torch::Tensor& noise);

  ModulatedConv2d conv{nullptr};
  NoiseInjection noise{nullptr};
  FusedLeakyReLU activate{nullptr};
};
TORCH_MODULE(StyledConv);

}  // namespace deltaedit::nets
