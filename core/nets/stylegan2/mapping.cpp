#include "core/nets/stylegan2/mapping.h"

#include <string>

#include "core/nets/common/fused_act.h"

namespace deltaedit::nets {

MappingNetworkImpl::MappingNetworkImpl(int64_t style_dim, int64_t n_mlp, double lr_mul) {
  for (int64_t i = 1; i <= n_mlp; ++i)
    layers.push_back(register_module(std::to_string(i),
                                     EqualLinear(style_dim, style_dim, lr_mul, /*lrelu=*/true)));
}

torch::Tensor MappingNetworkImpl::forward(const torch::Tensor& z) {
  // [B, D] -> [B, D]
  torch::Tensor x = pixel_norm(z);
  for (auto& layer : layers) x = layer(x);
  return x;
}

}  // namespace deltaedit::nets
