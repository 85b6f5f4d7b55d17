#pragma once
// Memory-bound steps of the fast synthesis path fused into single passes over the activations
// (float32 CPU loops; other devices and dtypes fall back to the equivalent LibTorch ops). At
// 1024 px one activation is 128 MB, so each pass saved is tens of milliseconds.
#include <vector>

#include <torch/torch.h>

namespace deltaedit::nets {

// The upsampling layer's epilogue on the CPU. A stride-2 transposed 3x3 conv T (side 2H+1) is
// computed as its four phases, dense convs on the input grid: ee = T[even rows, even cols]
// [1, C, H+1, W+1], eo [1, C, H+1, W], oe [1, C, H, W+1], oo [1, C, H, W]. This reads them as T,
// applies the separable blur (`taps` = the 1-D factor of the blur kernel, true convolution,
// T padded by pad0 before), then bias [C], noise [1, 1, 2H, 2W] and leaky ReLU, in one pass:
// -> [1, C, 2H, 2W]. CPU float32 only.
//
// The phases may come in bands of rows, so that at 1024 px the four phases (128 MB) never exist
// at once: add_band(ee, eo, oe, oo, a) takes phase rows a .. a + n - 1 (ee and eo also row H
// with the last band), in order; each output row is written as soon as its blur has all its T
// rows (a ring of the last K horizontally blurred rows per channel carries across bands).
class PhaseBlurEpilogue {
 public:
  PhaseBlurEpilogue(int64_t channels, int64_t H, int64_t W, std::vector<float> taps, int64_t pad0,
                    const torch::Tensor& bias, const torch::Tensor& noise, double slope);
  // ee, eo [1, C, n (+1 with the last band), W+1 / W], oe, oo [1, C, n, W+1 / W]
  void add_band(const torch::Tensor& ee, const torch::Tensor& eo, const torch::Tensor& oe,
                const torch::Tensor& oo, int64_t a);
  // After the last band: -> [1, C, 2H, 2W]
  torch::Tensor finish();

 private:
  // Feeds T rows [fed_, t_end) (zeros outside T) and writes the output rows they complete.
  void feed(const torch::Tensor* ee, const torch::Tensor* eo, const torch::Tensor* oe,
            const torch::Tensor* oo, int64_t a, int64_t t_end);

  int64_t C_, H_, W_, K_, pad0_;
  float slope_;
  std::vector<float> taps_;  // flipped: the blur is computed as a correlation
  int64_t fed_;              // T rows fed so far end here (starts at -pad0)
  torch::Tensor bias_, noise_, out_;
  std::vector<float> ring_;  // [C][K][2W]
};

// In place: y [1, C, H, W] = leaky_relu(y + noise [1, 1, H, W], slope).
void add_leaky_relu_(torch::Tensor& y, const torch::Tensor& noise, double slope);

// A 1x1 convolution to RGB as one matrix product (oneDNN is slow for 3 output channels):
// x [1, C, H, W], w [3, C], bias [3] -> [1, 3, H, W].
torch::Tensor to_rgb_1x1(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias);

// Separable FIR x2 upsampling (upfirdn2d with up=2) added into `out`: out [1, 3, 2H, 2W] +=
// upsample(skip [1, 3, H, W]). `taps` is the 1-D factor of the 2-D kernel (true convolution),
// `padding` the equivalent transposed-conv padding (taps - 1 - pad0). `kernel2d` [k, k] is used
// by the fallback.
void add_upsampled_(torch::Tensor& out, const torch::Tensor& skip, const std::vector<float>& taps,
                    int64_t padding, const torch::Tensor& kernel2d);

}  // namespace deltaedit::nets
