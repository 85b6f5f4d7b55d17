#pragma once
// rosinality's StyleGAN2 Generator as DeltaEdit bundles it, for inference: mapping z -> w,
// W+ -> S (the conv-layer modulations), and rendering from W+ or from S (+ W+ for the toRGB
// layers) with the checkpoint's fixed noise buffers. Module and parameter names equal the g_ema
// checkpoint keys. Device and dtype are those of the module; inputs are converted to them.
// Call under torch::NoGradGuard (or InferenceMode) unless gradients are wanted.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <vector>

#include <torch/torch.h>

#include "core/io/state_dict.h"
#include "core/nets/common/device.h"
#include "core/nets/stylegan2/constant_input.h"
#include "core/nets/stylegan2/fast_synthesis.h"
#include "core/nets/stylegan2/generator_config.h"
#include "core/nets/stylegan2/mapping.h"
#include "core/nets/stylegan2/styled_conv.h"
#include "core/nets/stylegan2/to_rgb.h"

namespace deltaedit::nets {

// How synthesis is computed. Both give the same image (tests compare them with the reference's
// outputs); kFast is used only outside grad mode (under NoGradGuard / InferenceMode) since it
// computes without autograd, and is prepared from the weights on first use: change weights, device
// or dtype only before rendering, or call reset_fast_path().
enum class RenderPath { kFast, kReference };

class GeneratorImpl : public torch::nn::Module {
 public:
  explicit GeneratorImpl(const GeneratorConfig& cfg);

  void set_render_path(RenderPath path) { render_path_ = path; }
  RenderPath render_path() const { return render_path_; }
  void set_fast_options(const FastSynthesisOptions& options);
  void reset_fast_path();

  // Throws io::ModelFileError naming the file and key (see infer_generator_config).
  static GeneratorConfig infer_config(const io::StateDict& g_ema);

  const GeneratorConfig& config() const { return cfg_; }
  int64_t size() const { return cfg_.size; }
  int64_t style_dim() const { return cfg_.style_dim; }
  int64_t n_latent() const { return cfg_.n_latent(); }
  int64_t num_conv_layers() const { return cfg_.num_conv_layers(); }
  std::vector<int64_t> s_widths() const { return cfg_.s_widths(); }  // sum = S dim
  std::vector<int64_t> torgb_widths() const { return cfg_.torgb_widths(); }
  int64_t s_dim() const;

  // z [B, style_dim] -> w [B, style_dim]
  torch::Tensor mapping(const torch::Tensor& z);
  // w [B, style_dim] -> W+ [B, n_latent, style_dim] (the same code in every slot)
  torch::Tensor broadcast_w(const torch::Tensor& w) const;
  // W+ [B, n_latent, style_dim] -> image [B, 3, size, size]
  torch::Tensor forward_w(const torch::Tensor& wplus);
  // W+ [B, n_latent, style_dim] -> S [B, sum(s_widths)]; conv layer j uses W+ slot j.
  torch::Tensor w_to_s(const torch::Tensor& wplus);
  // S [B, sum(s_widths)] and W+ [B, n_latent, style_dim] (toRGB k uses slot 2k+1) ->
  // image [B, 3, size, size]. max_resolution > 0 stops after the first resolution >= it and
  // returns the running toRGB image there, [B, 3, r, r] (a cheap preview). `skips`, when given,
  // receives the running image after every resolution rendered (4, 8, ...).
  torch::Tensor synthesize_s(const torch::Tensor& s, const torch::Tensor& wplus,
                             int64_t max_resolution = 0,
                             std::vector<torch::Tensor>* skips = nullptr);

  // Children, named as the checkpoint keys.
  MappingNetwork style{nullptr};
  ConstantInput input{nullptr};
  StyledConv conv1{nullptr};
  ToRGB to_rgb1{nullptr};
  torch::nn::ModuleList convs{nullptr};
  torch::nn::ModuleList to_rgbs{nullptr};
  NoiseBuffers noises{nullptr};

 private:
  torch::TensorOptions options() const;                         // device and dtype of the weights
  torch::Tensor check_wplus(const torch::Tensor& wplus) const;  // validated, converted
  // The shared synthesis loop: one style [B, s_widths[j]] per conv layer.
  torch::Tensor synthesize(const std::vector<torch::Tensor>& styles, const torch::Tensor& wplus,
                           int64_t max_resolution, std::vector<torch::Tensor>* skips);

  std::shared_ptr<const FastSynthesis> fast_path();  // prepared on first use (thread-safe)

  GeneratorConfig cfg_;
  RenderPath render_path_ = RenderPath::kFast;
  FastSynthesisOptions fast_options_;
  std::mutex fast_mutex_;
  std::shared_ptr<const FastSynthesis> fast_;
  std::vector<StyledConv> conv_layers_;  // conv1, convs.0, convs.1, ...
  std::vector<ToRGB> rgb_layers_;        // to_rgb1, to_rgbs.0, ...
};
TORCH_MODULE(Generator);

struct LoadedGenerator {
  Generator net{nullptr};
  torch::Tensor latent_avg;  // [style_dim], on the compute device
  std::filesystem::path file;
};

// Infers the architecture from a g_ema state dict and loads it strictly (CPU, float32).
// Throws io::ModelFileError naming g_ema.source(), the key and expected vs found shape.
Generator build_generator(const io::StateDict& g_ema);

// Reads a rosinality checkpoint {'g_ema': state dict, 'latent_avg': [style_dim]} (zip or legacy),
// infers the architecture, loads strictly, freezes the weights (inference only) and moves the
// network to `dev`. Throws io::ModelFileError naming the file and the problem.
LoadedGenerator load_generator(const std::filesystem::path& file, const ComputeDevice& dev);

// Truncation toward the mean: latent_avg + psi (w - latent_avg). w [B, D] or [B, L, D],
// latent_avg [D] -> same shape as w.
torch::Tensor truncate(const torch::Tensor& w, const torch::Tensor& latent_avg, double psi);

}  // namespace deltaedit::nets
