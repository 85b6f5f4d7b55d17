#pragma once
// Half-precision storage for the large weight matrices of networks computed in float32 on CPU:
// they take half the memory (e4e's convs and linears 1.06 GB, CLIP's transformers 0.49 GB, the
// mapper 0.33 GB at full size) and each layer is widened back to float32 just before it runs, so activations and
// sums stay float32. CLIP's released weights are float16 already: for them this is exact. For
// float32 files it rounds each weight to 11 significant bits.
#include <cstdint>
#include <functional>
#include <string>

#include <torch/torch.h>

namespace deltaedit::nets {

// `weight` in the dtype of `like` (the same tensor when it already is). float16 -> float32 on
// CPU uses the F16C instructions where the CPU has them: LibTorch's own conversion is scalar,
// about 4 ns a weight, which would add about 1 s to every photo at full size.
torch::Tensor widened_to(const torch::Tensor& weight, const torch::Tensor& like);

// Stores every float32 CPU parameter of `module` that `select` accepts as float16, in place
// (the module's own parameter objects change dtype). Returns the bytes saved. The module's
// forward must widen each such parameter with widened_to.
using HalfSelector = std::function<bool(const std::string& name, const torch::Tensor& parameter)>;
int64_t store_in_half(torch::nn::Module& module, const HalfSelector& select);

}  // namespace deltaedit::nets
