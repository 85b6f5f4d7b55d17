#pragma once
// The learnt 4x4 constant the synthesis network starts from (rosinality ConstantInput).
#include <cstdint>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::nets {

class ConstantInputImpl : public torch::nn::Module {
 public:
  explicit ConstantInputImpl(int64_t channels, int64_t size = 4) {
    input = register_parameter("input", torch::randn({1, channels, size, size}));
  }
  // batch B -> [B, C, 4, 4] (a broadcast view; the first conv copies it anyway)
  torch::Tensor forward(int64_t batch) { return input.expand({batch, -1, -1, -1}); }

  torch::Tensor input;  // [1, C, 4, 4]
};
TORCH_MODULE(ConstantInput);

// The fixed per-layer noise images `noise_0` .. `noise_{L-1}` (buffers, [1, 1, r, r]) that
// every render uses (the reference's randomize_noise=False).
class NoiseBuffersImpl : public torch::nn::Module {
 public:
  explicit NoiseBuffersImpl(const std::vector<int64_t>& resolutions) {
    for (size_t i = 0; i < resolutions.size(); ++i) {
      const int64_t r = resolutions[i];
      noises_.push_back(register_buffer("noise_" + std::to_string(i), torch::randn({1, 1, r, r})));
    }
  }
  // Layer i's noise image: [1, 1, r, r]. (Module::to and loading update the registered
  // tensors in place, so these handles stay current.)
  const torch::Tensor& noise(size_t i) const { return noises_.at(i); }
  size_t size() const { return noises_.size(); }

 private:
  std::vector<torch::Tensor> noises_;
};
TORCH_MODULE(NoiseBuffers);

}  // namespace deltaedit::nets
