#include "core/nets/stylegan2/fast_synthesis.h"

#include <cmath>
#include <stdexcept>

#include "core/nets/common/direct_conv.h"
#include "core/nets/stylegan2/generator.h"
#include "core/nets/stylegan2/synthesis_kernels.h"

namespace deltaedit::nets {
namespace {

namespace F = torch::nn::functional;

constexpr double kLeakySlope = 0.2;
const double kActGain = std::sqrt(2.0);  // fused_leaky_relu's output scale, folded forward

// The 1-D factor t of a rank-1 kernel k = outer(t, t) (StyleGAN2's FIR kernels are), else {}.
std::vector<float> separable_taps(const torch::Tensor& k2d) {
  const torch::Tensor k = k2d.to(torch::kFloat64);
  const double total = k.sum().item<double>();
  if (total <= 0) return {};
  const torch::Tensor t = k.sum(1) / std::sqrt(total);
  if (!torch::allclose(torch::outer(t, t), k, 1e-6, 1e-9)) return {};
  const torch::Tensor tf = t.to(torch::kFloat32).contiguous();
  return {tf.data_ptr<float>(), tf.data_ptr<float>() + tf.numel()};
}

// A modulated conv's weight with its equalized-lr scale: [out, in, k, k], float32.
torch::Tensor scaled_weight(const ModulatedConv2dImpl& mc) {
  return mc.weight.detach()[0].to(torch::kFloat32) * mc.scale;
}

}  // namespace

FastSynthesis::FastSynthesis(GeneratorImpl& g, const FastSynthesisOptions& options)
    : options_(options) {
  torch::NoGradGuard no_grad;
  opts_ = g.input->input.options();
  constant_ = g.input->input.detach();

  std::vector<StyledConvImpl*> layers{g.conv1.get()};
  for (size_t i = 0; i < g.convs->size(); ++i) layers.push_back(g.convs->ptr(i)->as<StyledConvImpl>());
  const auto resolutions = g.config().layer_resolutions();
  for (size_t j = 0; j < layers.size(); ++j) {
    const ModulatedConv2dImpl& mc = *layers[j]->conv;
    ConvLayer L;
    L.upsample = mc.upsample;
    L.in = mc.in_channel;
    L.out = mc.out_channel;
    L.k = mc.kernel_size;
    const torch::Tensor w = scaled_weight(mc);  // [O, I, k, k]
    L.sumsq = w.pow(2).sum({2, 3}).to(opts_.device());  // float32 even for half weights
    L.weight = w.to(opts_).contiguous();
    const int64_t direct_max = L.upsample ? options_.direct_phases_max_channels : options_.direct_conv_max_channels;
    L.direct = L.in <= direct_max && L.k <= 3 &&
               direct_conv2d_supported(torch::empty({1, L.in, 1, 1}, opts_), L.weight);
    L.bias = layers[j]->activate->bias.detach();
    L.noise = (g.noises->noise(j) * layers[j]->noise->weight.detach()).contiguous();
    if (L.upsample) {
      const torch::Tensor fir = mc.blur->kernel.detach().to(torch::kCPU);
      const int64_t kb = fir.size(0);
      if (mc.blur->pad0 + mc.blur->pad1 != kb - 2)
        throw std::invalid_argument("fast synthesis: blur pads do not keep the 2x size");
      const std::vector<float> taps = separable_taps(fir);
      L.phases = resolutions[j] >= options_.phases_from_resolution && L.k == 3 && !taps.empty() &&
                 opts_.device().is_cpu() && opts_.dtype() == torch::kFloat32;
      L.blur_taps = taps;
      L.blur_pad = mc.blur->pad0;
      if (!L.phases) {
        L.blur = fir.flip({0, 1}).view({1, 1, kb, kb}).expand({L.out, 1, kb, kb}).to(opts_).contiguous();
        if (mc.blur->pad0 != mc.blur->pad1)
          throw std::invalid_argument("fast synthesis: asymmetric blur pads");
      }
    }
    convs_.push_back(std::move(L));
  }

  std::vector<ToRGBImpl*> rgbs{g.to_rgb1.get()};
  for (size_t i = 0; i < g.to_rgbs->size(); ++i) rgbs.push_back(g.to_rgbs->ptr(i)->as<ToRGBImpl>());
  for (ToRGBImpl* t : rgbs) {
    const ModulatedConv2dImpl& mc = *t->conv;
    RgbLayer R;
    R.weight = scaled_weight(mc).view({mc.out_channel, mc.in_channel}).to(opts_).contiguous();
    R.bias = t->bias.detach().view({-1});
    if (t->upsample) {
      const UpsampleImpl& up = *t->upsample;
      const int64_t ku = up.kernel.size(0);
      // Zero insertion then the FIR is a depthwise transposed conv with padding ku - 1 - pad0.
      R.up_padding = ku - 1 - up.pad0;
      if (up.factor != 2 || R.up_padding < 0 || up.pad0 + up.pad1 != ku - 1)
        throw std::invalid_argument("fast synthesis: unsupported skip upsampling geometry");
      R.up_kernel = up.kernel.detach().to(torch::kCPU, torch::kFloat32);
      R.up_taps = separable_taps(R.up_kernel);
    }
    rgbs_.push_back(std::move(R));
  }
}

torch::Tensor FastSynthesis::conv_layer(const ConvLayer& L, const torch::Tensor& x,
                                        const torch::Tensor& style, double gain) const {
  // x [1, in, H, W], style [in] -> [1, out, H', W'] (leaky ReLU applied, sqrt(2) not yet)
  const torch::Tensor s = style.to(torch::kFloat32);
  const torch::Tensor demod = torch::rsqrt(torch::mv(L.sumsq, s * s) + 1e-8);  // [out]
  const torch::Tensor in_scale = s.to(opts_);                                  // [in]
  const torch::Tensor out_scale = (demod * gain).to(opts_);                    // [out]
  torch::Tensor y;
  const torch::Tensor w = L.weight * in_scale.view({1, L.in, 1, 1}) * out_scale.view({L.out, 1, 1, 1});
  if (L.phases) {
    // The transposed conv's four phases as dense convs on the input grid (9 taps in all):
    // even output positions take kernel taps {2, 0} (padding 1), odd ones tap {1}.
    const auto even = torch::tensor({2, 0}, torch::kLong), odd = torch::tensor({1}, torch::kLong);
    const auto taps = [&](const torch::Tensor& rows, const torch::Tensor& cols) {
      return w.index_select(2, rows).index_select(3, cols).contiguous();
    };
    const torch::Tensor k_ee = taps(even, even), k_eo = taps(even, odd), k_oe = taps(odd, even),
                        k_oo = taps(odd, odd);
    const int64_t H = x.size(2), W = x.size(3);
    PhaseBlurEpilogue epilogue(L.out, H, W, L.blur_taps, L.blur_pad, L.bias, L.noise, kLeakySlope);
    // The direct kernel computes any band of a conv's output rows, so the phases are made and
    // consumed a band at a time (at 1024 px all four would take 128 MB).
    const int64_t band = L.direct && options_.phase_band_rows > 0 ? options_.phase_band_rows : H;
    for (int64_t a = 0; a < H; a += band) {
      const int64_t n = std::min(band, H - a), n_even = a + n == H ? n + 1 : n;
      auto phase = [&](const torch::Tensor& k, int64_t pad_r, int64_t pad_c, int64_t rows) {
        if (L.direct) return direct_conv2d_rows(x, k, {}, pad_r, pad_c, a, a + rows);
        return F::conv2d(x, k, F::Conv2dFuncOptions().padding(std::vector<int64_t>{pad_r, pad_c}));
      };
      epilogue.add_band(phase(k_ee, 1, 1, n_even), phase(k_eo, 1, 0, n_even), phase(k_oe, 0, 1, n),
                        phase(k_oo, 0, 0, n), a);
    }
    return epilogue.finish();
  }
  if (L.upsample) {
    // conv_transpose2d wants [in, out, k, k].
    const torch::Tensor up = F::conv_transpose2d(x, w.transpose(0, 1), F::ConvTranspose2dFuncOptions().stride(2));
    y = F::conv2d(up, L.blur, F::Conv2dFuncOptions().bias(L.bias).padding(L.blur_pad).groups(L.out));
  } else if (L.direct) {
    y = direct_conv2d(x, w, L.bias, L.k / 2, L.k / 2);
  } else {
    y = F::conv2d(x, w, F::Conv2dFuncOptions().bias(L.bias).padding(L.k / 2));
  }
  add_leaky_relu_(y, L.noise, kLeakySlope);
  return y;
}

torch::Tensor FastSynthesis::rgb_layer(const RgbLayer& R, const torch::Tensor& x,
                                       const torch::Tensor& style, double gain,
                                       const torch::Tensor& skip) const {
  // x [1, in, H, W], style [in], skip [1, 3, H/2, W/2] -> [1, 3, H, W]
  const int64_t in = R.weight.size(1);
  const torch::Tensor w = R.weight * (style.to(opts_) * gain).view({1, in});
  torch::Tensor out = to_rgb_1x1(x, w, R.bias);
  if (skip.defined()) add_upsampled_(out, skip, R.up_taps, R.up_padding, R.up_kernel);
  return out;
}

torch::Tensor FastSynthesis::run_one(const std::vector<torch::Tensor>& styles,
                                     const std::vector<torch::Tensor>& rgb_styles, int64_t b,
                                     int64_t max_resolution,
                                     std::vector<torch::Tensor>* skips) const {
  // one sample: styles[j][b] [w_j] -> [1, 3, r, r]
  torch::Tensor x = conv_layer(convs_[0], constant_, styles[0][b], 1.0);  // [1, C4, 4, 4]
  torch::Tensor skip = rgb_layer(rgbs_[0], x, rgb_styles[0][b], kActGain, {});
  if (skips) skips->push_back(skip);
  int64_t resolution = 4;
  for (size_t k = 1; k < rgbs_.size(); ++k) {
    if (max_resolution > 0 && resolution >= max_resolution) break;
    const size_t j = 2 * k - 1;
    x = conv_layer(convs_[j], x, styles[j][b], kActGain);          // [1, C, 2r, 2r]
    x = conv_layer(convs_[j + 1], x, styles[j + 1][b], kActGain);  // [1, C, 2r, 2r]
    skip = rgb_layer(rgbs_[k], x, rgb_styles[k][b], kActGain, skip);
    resolution *= 2;
    if (skips) skips->push_back(skip);
  }
  return skip;
}

torch::Tensor FastSynthesis::run(const std::vector<torch::Tensor>& styles,
                                 const std::vector<torch::Tensor>& rgb_styles,
                                 int64_t max_resolution, std::vector<torch::Tensor>* skips) const {
  // [B, w_j] per layer -> [B, 3, r, r]; samples have their own weights, so one at a time.
  torch::NoGradGuard no_grad;
  const int64_t B = styles.at(0).size(0);
  if (B == 1) return run_one(styles, rgb_styles, 0, max_resolution, skips);
  std::vector<torch::Tensor> images;
  std::vector<std::vector<torch::Tensor>> per_sample_skips(B);
  for (int64_t b = 0; b < B; ++b)
    images.push_back(run_one(styles, rgb_styles, b, max_resolution, skips ? &per_sample_skips[b] : nullptr));
  if (skips)
    for (size_t r = 0; r < per_sample_skips[0].size(); ++r) {
      std::vector<torch::Tensor> level;
      for (int64_t b = 0; b < B; ++b) level.push_back(per_sample_skips[b][r]);
      skips->push_back(torch::cat(level, 0));
    }
  return torch::cat(images, 0);
}

}  // namespace deltaedit::nets
