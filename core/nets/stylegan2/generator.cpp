#include "core/nets/stylegan2/generator.h"

#include <numeric>
#include <sstream>
#include <stdexcept>
#include <string>

#include "core/nets/common/weights.h"

namespace deltaedit::nets {

GeneratorImpl::GeneratorImpl(const GeneratorConfig& cfg) : cfg_(cfg) {
  cfg_.validate();
  const auto& ch = cfg_.channels;
  const auto& blur = cfg_.blur_kernel;
  const int64_t D = cfg_.style_dim;

  // Registration order follows the reference's state_dict.
  style = register_module("style", MappingNetwork(D, cfg_.n_mlp, cfg_.lr_mlp));
  input = register_module("input", ConstantInput(ch[0]));
  conv1 = register_module("conv1", StyledConv(ch[0], ch[0], D, /*upsample=*/false, blur));
  to_rgb1 = register_module("to_rgb1", ToRGB(ch[0], D, /*upsample=*/false, blur));
  convs = register_module("convs", torch::nn::ModuleList());
  to_rgbs = register_module("to_rgbs", torch::nn::ModuleList());
  conv_layers_.push_back(conv1);
  rgb_layers_.push_back(to_rgb1);
  for (size_t i = 1; i < ch.size(); ++i) {
    StyledConv up(ch[i - 1], ch[i], D, /*upsample=*/true, blur);
    StyledConv same(ch[i], ch[i], D, /*upsample=*/false, blur);
    ToRGB rgb(ch[i], D, /*upsample=*/true, blur);
    convs->push_back(up);
    convs->push_back(same);
    to_rgbs->push_back(rgb);
    conv_layers_.insert(conv_layers_.end(), {up, same});
    rgb_layers_.push_back(rgb);
  }
  noises = register_module("noises", NoiseBuffers(cfg_.layer_resolutions()));
}

GeneratorConfig GeneratorImpl::infer_config(const io::StateDict& g_ema) {
  return infer_generator_config(g_ema);
}

int64_t GeneratorImpl::s_dim() const {
  const auto w = s_widths();
  return std::accumulate(w.begin(), w.end(), int64_t{0});
}

torch::TensorOptions GeneratorImpl::options() const { return input->input.options(); }

torch::Tensor GeneratorImpl::mapping(const torch::Tensor& z) {
  // [B, D] -> [B, D]
  if (z.dim() != 2 || z.size(1) != style_dim())
    throw std::invalid_argument("mapping: z must be [B, " + std::to_string(style_dim()) +
                                "], got " + shape_str(z.sizes()));
  return style(z.to(options()));
}

torch::Tensor GeneratorImpl::broadcast_w(const torch::Tensor& w) const {
  // [B, D] -> [B, n_latent, D]
  if (w.dim() != 2 || w.size(1) != style_dim())
    throw std::invalid_argument("broadcast_w: w must be [B, " + std::to_string(style_dim()) +
                                "], got " + shape_str(w.sizes()));
  return w.unsqueeze(1).expand({-1, n_latent(), -1});
}

torch::Tensor GeneratorImpl::check_wplus(const torch::Tensor& wplus) const {
  if (wplus.dim() != 3 || wplus.size(1) != n_latent() || wplus.size(2) != style_dim())
    throw std::invalid_argument("W+ must be [B, " + std::to_string(n_latent()) + ", " +
                                std::to_string(style_dim()) + "], got " + shape_str(wplus.sizes()));
  return wplus.to(options());
}

torch::Tensor GeneratorImpl::w_to_s(const torch::Tensor& wplus_in) {
  // [B, n_latent, D] -> [B, S]
  const torch::Tensor wplus = check_wplus(wplus_in);
  std::vector<torch::Tensor> parts;
  parts.reserve(conv_layers_.size());
  for (size_t j = 0; j < conv_layers_.size(); ++j)
    parts.push_back(conv_layers_[j]->conv->style(wplus.select(1, int64_t(j))));  // [B, w_j]
  return torch::cat(parts, 1);
}

torch::Tensor GeneratorImpl::forward_w(const torch::Tensor& wplus_in) {
  // [B, n_latent, D] -> [B, 3, size, size]
  const torch::Tensor wplus = check_wplus(wplus_in);
  std::vector<torch::Tensor> styles;
  styles.reserve(conv_layers_.size());
  for (size_t j = 0; j < conv_layers_.size(); ++j)
    styles.push_back(conv_layers_[j]->conv->style(wplus.select(1, int64_t(j))));
  return synthesize(styles, wplus, 0, nullptr);
}

torch::Tensor GeneratorImpl::synthesize_s(const torch::Tensor& s_in, const torch::Tensor& wplus_in,
                                          int64_t max_resolution,
                                          std::vector<torch::Tensor>* skips) {
  // S [B, S], W+ [B, n_latent, D] -> [B, 3, size, size] (or [B, 3, r, r] for a preview)
  const torch::Tensor wplus = check_wplus(wplus_in);
  const int64_t total = s_dim();
  if (s_in.dim() != 2 || s_in.size(1) != total || s_in.size(0) != wplus.size(0))
    throw std::invalid_argument("S must be [" + std::to_string(wplus.size(0)) + ", " +
                                std::to_string(total) + "] (batch of W+), got " +
                                shape_str(s_in.sizes()));
  const torch::Tensor s = s_in.to(options());
  const auto widths = s_widths();
  std::vector<torch::Tensor> styles;
  styles.reserve(widths.size());
  int64_t at = 0;
  for (int64_t w : widths) {
    styles.push_back(s.narrow(1, at, w));  // [B, w]
    at += w;
  }
  return synthesize(styles, wplus, max_resolution, skips);
}

torch::Tensor GeneratorImpl::synthesize(const std::vector<torch::Tensor>& styles,
                                        const torch::Tensor& wplus, int64_t max_resolution,
                                        std::vector<torch::Tensor>* skips) {
  // styles[j] [B, s_widths[j]], W+ [B, n_latent, D] -> [B, 3, r, r]
  if (render_path_ == RenderPath::kFast && !torch::GradMode::is_enabled()) {
    if (auto fast = fast_path()) {
      std::vector<torch::Tensor> rgb_styles;  // toRGB k uses W+ slot 2k+1
      for (size_t k = 0; k < rgb_layers_.size(); ++k)
        rgb_styles.push_back(rgb_layers_[k]->conv->style(wplus.select(1, int64_t(2 * k + 1))));
      return fast->run(styles, rgb_styles, max_resolution, skips);
    }
  }
  const int64_t B = wplus.size(0);
  torch::Tensor x = conv_layers_[0](input(B), styles[0], noises->noise(0));  // [B, C4, 4, 4]
  torch::Tensor skip = rgb_layers_[0](x, wplus.select(1, 1));                // [B, 3, 4, 4]
  if (skips) skips->push_back(skip);
  int64_t resolution = 4;
  for (size_t k = 1; k < rgb_layers_.size(); ++k) {
    if (max_resolution > 0 && resolution >= max_resolution) break;
    // Block k: upsampling conv (layer 2k-1), plain conv (layer 2k), toRGB (W+ slot 2k+1).
    const size_t j = 2 * k - 1;
    x = conv_layers_[j](x, styles[j], noises->noise(j));                  // [B, C, 2r, 2r]
    x = conv_layers_[j + 1](x, styles[j + 1], noises->noise(j + 1));      // [B, C, 2r, 2r]
    skip = rgb_layers_[k](x, wplus.select(1, int64_t(2 * k + 1)), skip);  // [B, 3, 2r, 2r]
    resolution *= 2;
    if (skips) skips->push_back(skip);
  }
  return skip;
}

void GeneratorImpl::set_fast_options(const FastSynthesisOptions& options) {
  std::lock_guard<std::mutex> lock(fast_mutex_);
  fast_options_ = options;
  fast_.reset();
}

void GeneratorImpl::reset_fast_path() {
  std::lock_guard<std::mutex> lock(fast_mutex_);
  fast_.reset();
}

std::shared_ptr<const FastSynthesis> GeneratorImpl::fast_path() {
  std::lock_guard<std::mutex> lock(fast_mutex_);
  const auto want = options();
  if (fast_ && (fast_->options().device() != want.device() ||
                fast_->options().dtype() != want.dtype()))
    fast_.reset();  // moved since it was prepared
  if (!fast_) {
    try {
      fast_ = std::make_shared<const FastSynthesis>(*this, fast_options_);
    } catch (const std::invalid_argument&) {
      render_path_ = RenderPath::kReference;  // a geometry the fast path does not cover
    }
  }
  return fast_;
}

torch::Tensor truncate(const torch::Tensor& w, const torch::Tensor& latent_avg, double psi) {
  // [B, D] or [B, L, D] with [D] -> same as w
  const torch::Tensor avg = latent_avg.to(w.options()).reshape({-1});
  if (avg.size(0) != w.size(-1))
    throw std::invalid_argument("truncate: latent_avg has " + std::to_string(avg.size(0)) +
                                " values, w has " + std::to_string(w.size(-1)) + " per code");
  return avg + psi * (w - avg);
}

}  // namespace deltaedit::nets
