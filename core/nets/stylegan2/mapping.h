#pragma once
// The mapping network z -> w (rosinality Generator.style): PixelNorm, then n_mlp EqualLinear
// layers with lr_mul 0.01 and fused leaky ReLU. Registered in the generator as `style`, with
// the layers named 1..n_mlp (index 0 is the parameterless PixelNorm), so the checkpoint keys
// `style.1.weight` ... load as they are.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/nets/common/equal_linear.h"

namespace deltaedit::nets {

class MappingNetworkImpl : public torch::nn::Module {
 public:
  MappingNetworkImpl(int64_t style_dim, int64_t n_mlp, double lr_mul);

  // z [B, style_dim] -> w [B, style_dim]
  torch::Tensor forward(const torch::Tensor& z);

  std::vector<EqualLinear> layers;
};
TORCH_MODULE(MappingNetwork);

}  // namespace deltaedit::nets
