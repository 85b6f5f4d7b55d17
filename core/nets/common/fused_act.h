#pragma once
// rosinality's fused bias + leaky ReLU (slope 0.2) x sqrt(2), as DeltaEdit's copy computes it:
// for 3-D inputs [B, L, C] the bias is added on the last axis, otherwise on axis 1.
#include <torch/torch.h>

namespace deltaedit::nets {

torch::Tensor fused_leaky_relu(const torch::Tensor& x, const torch::Tensor& bias,
                               double negative_slope = 0.2, double scale = 1.4142135623730951);

// PixelNorm: x / sqrt(mean(x^2 over dim 1) + 1e-8). For 3-D inputs dim 1 is the layer-slot axis.
torch::Tensor pixel_norm(const torch::Tensor& x);

}  // namespace deltaedit::nets
