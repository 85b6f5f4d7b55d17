#pragma once
// DeltaEdit's `Mapper`: optional PixelNorm, then `depth` EqualLinear layers (lr_mul 0.01, fused
// leaky ReLU after every one). Children live in a Sequential named `mapping` so parameter names
// equal the checkpoint keys: with the norm the linears are mapping.1..depth, without it 0..depth-1.
#include <torch/torch.h>

namespace deltaedit::nets {

class MapperBlockImpl : public torch::nn::Module {
 public:
  MapperBlockImpl(int64_t in_dim, int64_t out_dim, bool norm, int64_t depth);

  // [B, in] -> [B, out], or [B, L, in] -> [B, L, out] (PixelNorm then runs over the L axis)
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Sequential mapping;
};
TORCH_MODULE(MapperBlock);

}  // namespace deltaedit::nets
