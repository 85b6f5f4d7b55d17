#pragma once
// Architecture of a rosinality StyleGAN2 generator, and its inference from a g_ema state dict
// (nothing is hard-coded: the official 1024 config-f and the small fixture models both load).
#include <cstdint>
#include <vector>

#include "core/io/state_dict.h"

namespace deltaedit::nets {

struct GeneratorConfig {
  int64_t size = 0;               // output side, a power of two >= 4
  int64_t style_dim = 0;          // width of z, w and every W+ slot
  int64_t n_mlp = 0;              // mapping layers
  std::vector<int64_t> channels;  // feature width per resolution 4, 8, ..., size
  double lr_mlp = 0.01;           // mapping EqualLinear lr_mul (architecture, not stored)
  std::vector<double> blur_kernel{1, 3, 3, 1};

  int64_t log_size() const;
  int64_t num_conv_layers() const;  // 2 (log_size - 2) + 1
  int64_t n_latent() const;         // 2 log_size - 2 (W+ slots)
  int64_t channels_at(int64_t resolution) const;
  // Per conv layer (conv1, convs.0, ...): output resolution and input width (= S slice width).
  std::vector<int64_t> layer_resolutions() const;
  std::vector<int64_t> s_widths() const;
  // Per toRGB layer (to_rgb1, to_rgbs.0, ...): input width.
  std::vector<int64_t> torgb_widths() const;

  // Throws std::invalid_argument when the numbers do not describe a generator.
  void validate() const;
};

// Reads style_dim (style.1.weight), n_mlp (style.N count), the channel table (input.input and
// every upsampling conv) and so the size from the weights. Throws io::ModelFileError naming the
// file and the key that is missing or malformed.
GeneratorConfig infer_generator_config(const io::StateDict& g_ema);

}  // namespace deltaedit::nets
