#pragma once
// The e4e input transform of DeltaEdit's inference_real.py (Imagedataset): torchvision
// Resize(256) on the PIL image, ToTensor, Normalize(0.5, 0.5). For PIL images torchvision's
// Resize is PIL's bilinear resampling, which antialiases (the filter support grows with the
// downscale factor) and rounds to uint8 after each of its two passes; this reproduces
// Pillow's ImagingResample bit for bit.
#include <torch/torch.h>

namespace deltaedit::nets {

// Resize(size) as torchvision computes it: the shorter side becomes `size`, the longer one
// int(size * long / short). A no-op when the shorter side already is `size`.
// [H, W, 3] uint8 RGB -> [H', W', 3] uint8
torch::Tensor pil_bilinear_resize_shorter(const torch::Tensor& hwc_u8, int64_t size);

// PIL's bilinear resize to exactly out_h x out_w. [H, W, C] uint8 -> [out_h, out_w, C] uint8
torch::Tensor pil_bilinear_resize(const torch::Tensor& hwc_u8, int64_t out_h, int64_t out_w);

// RGB uint8 image of any size (e.g. a 1024 aligned face) -> [1, 3, size, size] float32 in
// [-1, 1] for square inputs (a non-square one keeps its aspect ratio, shorter side `size`, as
// torchvision). `size` is the encoder's E4eConfig::input_size() (256 for the official e4e).
// Throws std::invalid_argument for anything but a [H, W, 3] uint8 tensor or a size < 1.
torch::Tensor e4e_input_from_rgb8(const torch::Tensor& hwc_u8, int64_t size = 256);

}  // namespace deltaedit::nets
