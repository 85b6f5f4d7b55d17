#include "core/nets/common/fused_act.h"

namespace deltaedit::nets {

torch::Tensor fused_leaky_relu(const torch::Tensor& x, const torch::Tensor& bias,
                               double negative_slope, double scale) {
  std::vector<int64_t> shape(x.dim(), 1);
  shape[x.dim() == 3 ? 2 : 1] = bias.size(0);
  return torch::leaky_relu(x + bias.view(shape), negative_slope) * scale;
}

torch::Tensor pixel_norm(const torch::Tensor& x) {
  return x * torch::rsqrt(x.pow(2).mean(1, /*keepdim=*/true) + 1e-8);
}

}  // namespace deltaedit::nets
