#pragma once
// The building blocks of e4e's encoder (models/encoders/helpers.py and psp_encoders.py): the
// IR-SE bottleneck of the ResNet-50-style body and the GradualStyleBlock that turns a feature map
// into one style vector. Member names equal the checkpoint keys.
#include <torch/torch.h>

#include "core/nets/common/equal_linear.h"
#include "core/nets/e4e/e4e_config.h"

namespace deltaedit::nets {

// Squeeze-and-excitation gate: x * sigmoid(fc2(relu(fc1(avgpool(x))))).
class SEModuleImpl : public torch::nn::Module {
 public:
  SEModuleImpl(int64_t channels, int64_t hidden);
  // [B, C, H, W] -> [B, C, H, W]
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Conv2d fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(SEModule);

// bottleneck_IR_SE: res_layer(x) + shortcut_layer(x), res_layer = BN, Conv3x3, PReLU,
// Conv3x3 (stride), BN, SE. The shortcut is a strided 1x1 conv + BN when the width changes,
// otherwise MaxPool2d(1, stride) (plain subsampling).
class BottleneckIRSEImpl : public torch::nn::Module {
 public:
  explicit BottleneckIRSEImpl(const E4eConfig::Unit& unit);
  // [B, in, H, W] -> [B, depth, H / stride, W / stride]
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Sequential shortcut_layer{nullptr};  // null for the max-pool shortcut
  torch::nn::Sequential res_layer{nullptr};
  int64_t stride;
};
TORCH_MODULE(BottleneckIRSE);

// GradualStyleBlock: num_convs x (Conv3x3 stride 2 + LeakyReLU(0.01)) down to 1x1, then an
// EqualLinear (lr_mul 1).
class GradualStyleBlockImpl : public torch::nn::Module {
 public:
  explicit GradualStyleBlockImpl(const E4eConfig::Style& style);
  // [B, in, 2^num_convs, 2^num_convs] -> [B, width]
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Sequential convs{nullptr};
  EqualLinear linear{nullptr};
  int64_t width;
};
TORCH_MODULE(GradualStyleBlock);

}  // namespace deltaedit::nets
