#pragma once
// Conversions between photos (8-bit RGB) and the networks' image tensors ([-1, 1], NCHW).
#include <torch/torch.h>

#include "core/face/rgb_image.h"

namespace deltaedit::engine {

// RgbImage [H, W] -> uint8 tensor [H, W, 3] sharing nothing with the Mat (a copy).
torch::Tensor rgb8_to_hwc_tensor(const face::RgbImage& image);

// [1, 3, H, W] or [3, H, W] float in [-1, 1] -> RGB8 as the reference saves images:
// (x + 1) / 2 clamped to [0, 1], x255, rounded.
face::RgbImage image_tensor_to_rgb8(const torch::Tensor& image);

}  // namespace deltaedit::engine
