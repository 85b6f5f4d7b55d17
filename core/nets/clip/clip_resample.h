#pragma once
// DeltaEdit's CLIP image input: nearest x7 upsampling followed by AvgPool2d(kernel), which
// brings a side of 32*k pixels to 224 (kernel 8 for the 256 e4e input, size/32 for generator
// images). Both steps are linear and separable, so the result is computed exactly as
// out = A · X · Aᵀ per channel with A [out, H] holding 1/kernel times the number of upsampled
// copies of row h inside output window o. The x7 image (~600 MB for a 1024 batch of one) is
// never materialised.
#include <cstdint>

#include <torch/torch.h>

namespace deltaedit::nets {

// [N, C, H, W] -> [N, C, floor(7H/kernel), floor(7W/kernel)] ([N, 3, 224, 224] for
// kernel = side/32), in the input's dtype and device. Throws std::invalid_argument for a bad
// shape or kernel.
torch::Tensor deltaedit_resample(const torch::Tensor& image, int64_t kernel);

// The pooling kernel the reference uses for a square image side: side / 32 (8 for 256).
// Throws std::invalid_argument when side is not a positive multiple of 32.
int64_t deltaedit_resample_kernel(int64_t side);

// The [floor(7*side/kernel), side] float64 CPU matrix A (cached per (side, kernel)).
torch::Tensor deltaedit_resample_matrix(int64_t side, int64_t kernel);

}  // namespace deltaedit::nets
