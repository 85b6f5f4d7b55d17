#pragma once
// A direct stride-1 convolution for float32 CPU images with kernels up to 3x3, used where
// oneDNN's AVX2 path is weakest: the few-channel, large-image layers of the synthesis network
// (32 to 128 channels at 256 to 1024 px, where oneDNN reaches a quarter to a half of the FMA
// peak). Register-blocked over 4 output channels x 24 pixels (kernels in direct_conv_kernel.h).
#include <cstdint>

#include <torch/torch.h>

namespace deltaedit::nets {

// Whether direct_conv2d can run x [1, I, H, W] with w [O, I, kh, kw]: an AVX2+FMA CPU, float32
// CPU tensors, one image, kh and kw in 1..3.
bool direct_conv2d_supported(const torch::Tensor& x, const torch::Tensor& w);

// F::conv2d(x, w, bias, stride 1, padding {pad_h, pad_w}) for supported inputs:
// x [1, I, H, W], w [O, I, kh, kw], bias [O] or undefined -> [1, O, H + 2 pad_h - kh + 1, ...].
torch::Tensor direct_conv2d(const torch::Tensor& x, const torch::Tensor& w,
                            const torch::Tensor& bias, int64_t pad_h, int64_t pad_w);

// Output rows [row_begin, row_end) of that convolution only: [1, O, row_end - row_begin, Wo].
// Lets a caller consume a large output band by band without ever holding all of it.
torch::Tensor direct_conv2d_rows(const torch::Tensor& x, const torch::Tensor& w,
                                 const torch::Tensor& bias, int64_t pad_h, int64_t pad_w,
                                 int64_t row_begin, int64_t row_end);

}  // namespace deltaedit::nets
