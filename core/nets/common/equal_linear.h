#pragma once
// rosinality's EqualLinear: weights stored divided by lr_mul and scaled at run time by
// lr_mul / sqrt(in); bias scaled by lr_mul. lr_mul is architecture (not stored): 0.01 in the
// StyleGAN2 mapping network and DeltaMapper, 1 for modulations.
#include <torch/torch.h>

namespace deltaedit::nets {

class EqualLinearImpl : public torch::nn::Module {
 public:
  EqualLinearImpl(int64_t in_dim, int64_t out_dim, double lr_mul = 1.0, bool fused_lrelu = false,
                  double bias_init = 0.0);

  // [..., in] -> [..., out]
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor weight;  // [out, in]
  torch::Tensor bias;    // [out]
  double scale;
  double lr_mul;
  bool fused_lrelu;
};
TORCH_MODULE(EqualLinear);

}  // namespace deltaedit::nets
