#pragma once
// rosinality's upfirdn2d (native path): zero-insertion upsampling, padding, then a 2-D FIR
// filter, and the two modules built on it (Blur after the transposed conv, Upsample of the
// toRGB skip). Their `kernel` buffers are checkpoint entries, already scaled by factor^2.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::nets {

// [B, C, H, W] -> [B, C, H*up + pad0 + pad1 - kh + 1, W*up + pad0 + pad1 - kw + 1].
// `kernel` [kh, kw] is applied as a true convolution (flipped), as the reference does.
torch::Tensor upfirdn2d(const torch::Tensor& x, const torch::Tensor& kernel, int64_t up,
                        int64_t pad0, int64_t pad1);

// outer(k, k) / sum, times `gain` (factor^2 where the filter follows a x2 upsampling).
torch::Tensor make_fir_kernel(const std::vector<double>& taps, double gain);

// FIR filter without resampling: the blur after a modulated transposed conv.
class BlurImpl : public torch::nn::Module {
 public:
  BlurImpl(const std::vector<double>& taps, int64_t pad0, int64_t pad1, int64_t upsample_factor);
  // [B, C, H, W] -> [B, C, H + pad0 + pad1 - k + 1, W + ...]
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor kernel;  // [k, k]
  int64_t pad0, pad1;
};
TORCH_MODULE(Blur);

// x2 upsampling with the FIR filter: the toRGB skip path.
class UpsampleImpl : public torch::nn::Module {
 public:
  explicit UpsampleImpl(const std::vector<double>& taps, int64_t factor = 2);
  // [B, C, H, W] -> [B, C, H * factor, W * factor]
  torch::Tensor forward(const torch::Tensor& x);

  torch::Tensor kernel;  // [k, k]
  int64_t factor, pad0, pad1;
};
TORCH_MODULE(Upsample);

}  // namespace deltaedit::nets
