#pragma once
// The fast render path of the StyleGAN2 synthesis network: the same function as the reference
// operation sequence in GeneratorImpl::synthesize (checked against the fixtures), computed with
// fewer passes over the large activations:
//  - one dense convolution per layer and sample with the style, the demodulation and the previous
//    layer's sqrt(2) gain folded into a tiny weight (no grouped conv, no per-frame weight
//    reshuffling); the demodulation comes from precomputed sum-of-squares, [out, in] @ s^2;
//  - the upsampling layers' stride-2 transposed conv as its four output phases, dense convs on
//    the input grid with 2x2, 2x1, 1x2 and 1x1 kernels (9 taps, no zero work, no col2im), read
//    back by one pass that applies the separable blur, bias, noise and leaky ReLU
//    (synthesis_kernels.h; CPU float32, elsewhere a transposed conv + depthwise blur);
//  - bias inside the convolution, noise and leaky ReLU in one pass;
//  - toRGB as one matrix product, the skip upsampled by a separable polyphase FIR;
//  - on AVX2 CPUs, the few-channel large layers through a register-blocked direct convolution.
// Prepared once from a generator's weights on its device and dtype; read-only afterwards, so one
// instance serves concurrent renders.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::nets {

class GeneratorImpl;

struct FastSynthesisOptions {
  // Upsampling layers whose output side is at least this use the phase convs (CPU float32).
  int64_t phases_from_resolution = 8;
  // Layers with at most this many input channels use the AVX2 direct convolution
  // (common/direct_conv.h) where the CPU has it; 0 turns it off. Measured per layer on a 2-core
  // AVX2 EPYC against oneDNN: the plain 3x3 convs win from 256 input channels down (128 px and
  // up, 1.3-1.5x), the upsampling phases only from 128 down (512 and 1024 px, 1.6-1.9x); oneDNN
  // wins the 512-channel layers.
  int64_t direct_conv_max_channels = 256;
  int64_t direct_phases_max_channels = 128;
  // Input rows per band of the upsampling phases on the direct kernel (0: all at once). At
  // 1024 px a band of 32 holds 8 MB of phases instead of 128 MB, with no extra arithmetic.
  int64_t phase_band_rows = 32;
};

class FastSynthesis {
 public:
  FastSynthesis(GeneratorImpl& g, const FastSynthesisOptions& options = {});

  // styles[j] [B, s_widths[j]], toRGB styles rgb_styles[k] [B, torgb_widths[k]] ->
  // [B, 3, r, r] (r = size, or the first resolution >= max_resolution when > 0); `skips`
  // receives the running image after every resolution, as in GeneratorImpl::synthesize_s.
  torch::Tensor run(const std::vector<torch::Tensor>& styles,
                    const std::vector<torch::Tensor>& rgb_styles, int64_t max_resolution,
                    std::vector<torch::Tensor>* skips) const;

  const torch::TensorOptions& options() const { return opts_; }

 private:
  struct ConvLayer {
    bool upsample = false;
    bool phases = false;  // upsampling through the four phase convs
    bool direct = false;  // convs through direct_conv2d (CPU float32, AVX2)
    int64_t in = 0, out = 0, k = 0;
    torch::Tensor weight;  // [out, in, k, k] times the equalized-lr scale
    torch::Tensor sumsq;   // [out, in]: sum over taps of weight^2, for the demodulation
    torch::Tensor blur;            // other upsampling: [out, 1, kb, kb] depthwise true-conv taps
    std::vector<float> blur_taps;  // 1-D factor of the blur kernel
    int64_t blur_pad = 0;
    torch::Tensor bias;            // [out]
    torch::Tensor noise;         // [1, 1, r, r], already times the noise strength
  };
  struct RgbLayer {
    torch::Tensor weight;     // [3, in] times the scale
    torch::Tensor bias;       // [3]
    torch::Tensor up_kernel;    // [ku, ku] FIR of the skip upsampling (undefined for the first)
    std::vector<float> up_taps;  // its 1-D factor (empty: not separable, LibTorch fallback)
    int64_t up_padding = 0;      // as a transposed conv
  };

  // x [1, in, H, W] without the previous layer's sqrt(2) gain (`gain` carries it) -> [1, out, H', W']
  torch::Tensor conv_layer(const ConvLayer& L, const torch::Tensor& x, const torch::Tensor& style,
                           double gain) const;
  torch::Tensor rgb_layer(const RgbLayer& L, const torch::Tensor& x, const torch::Tensor& style,
                          double gain, const torch::Tensor& skip) const;
  torch::Tensor run_one(const std::vector<torch::Tensor>& styles,
                        const std::vector<torch::Tensor>& rgb_styles, int64_t b,
                        int64_t max_resolution, std::vector<torch::Tensor>* skips) const;

  FastSynthesisOptions options_;
  torch::TensorOptions opts_;
  torch::Tensor constant_;  // [1, C4, 4, 4]
  std::vector<ConvLayer> convs_;
  std::vector<RgbLayer> rgbs_;
};

}  // namespace deltaedit::nets
