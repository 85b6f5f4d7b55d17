#pragma once
// Training the demo bundle's small Encoder4Editing (docs/demo_domain.md) to invert a generator.
// Pairs are drawn from the generator itself: z -> w (truncated toward latent_avg by a random
// psi) -> image = G(broadcast W+); the encoder's W+ (codes + latent_avg) is pulled toward that
// W+ and G(its W+) toward the image (gradients through the frozen generator), plus e4e's delta
// regulariser. With a dataset, every `real_every`-th step uses real domain images instead
// (pixel loss, delta regulariser and, with a read-out weight, the read-out of their attributes),
// which is what the encoder meets in the product.
//
// The result is written in encoder4editing's checkpoint layout {"state_dict": {"encoder.<name>"},
// "latent_avg": [D]}, so `nets::load_e4e` (and the Python code) read it as the official file.
// A run resumes from `<out>.train_state.pt` (weights, BatchNorm statistics, Adam state, step);
// every draw comes from (seed, purpose, step), so a resumed run continues as an uninterrupted one.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include <torch/torch.h>

#include "core/io/state_dict.h"
#include "core/nets/e4e/e4e_config.h"
#include "core/nets/e4e/encoder4editing.h"
#include "core/nets/stylegan2/generator.h"

namespace deltaedit::demo_train {

// A small e4e geometry: 4 stages of one IR-SE unit each (widths `depths`, stem = depths[0]),
// `style_count` style blocks of `style_dim` reading c3 (3 coarse), p2 (4 middle) and p1 (the
// rest), for square `input_size` inputs (a power of two >= 32). infer_e4e_config of its weights
// gives it back. Throws std::invalid_argument for sizes that do not make an encoder.
nets::E4eConfig small_e4e_config(int64_t input_size, int64_t style_count, int64_t style_dim,
                                 const std::vector<int64_t>& depths = {16, 32, 48, 64});

struct E4eTrainOptions {
  int64_t steps = 300;  // 4800 images at batch 16 (a few minutes on 2 free cores)
  int64_t batch = 16;
  double learning_rate = 1e-3;  // Adam
  double w_weight = 1.0;        // L2 between predicted and true W+ (mean over elements)
  double pixel_weight = 1.0;    // L2 between G(predicted W+) and the image (mean over pixels)
  // > 0: the pixel loss weighted per pixel by attribute_loss_weights (attribute_regions.h), so
  // that the encoder keeps the mouth, glasses, beard and eyes, not only the large areas.
  double attribute_weight = 0.0;
  double delta_weight = 2e-4;   // e4e's delta regulariser: mean L2 norm of code_i - code_0
  // > 0: adds this weight x the mean squared error of a linear read-out of the attribute draws
  // from every W+ slot (fitted by least squares on the generator's own W at the start; the draws
  // as 2u - 1, latent_portraits.h) against the target's read-out, or on real images against the
  // draws of their known attributes. The plain W loss weighs every direction of W alike and
  // the pixel loss hardly sees the eyes or the mouth, so the encoder kept little of them.
  double readout_weight = 0.0;
  double psi_min = 0.7, psi_max = 1.0;  // truncation of the sampled w
  int64_t real_every = 0;       // with real images: every n-th step uses them (0 = never)
  // When set and no resume state exists: start from this e4e file's weights (fine-tuning; it
  // must have this config and the generator's latent_avg) instead of a fresh encoder.
  std::filesystem::path init;
  int64_t save_every = 200;     // steps between resume checkpoints (0 = none)
  uint64_t seed = 0;
};

struct E4eLosses {
  double total = 0, w = 0, pixel = 0, delta = 0, readout = 0;
  bool real = false;  // a step on real images (no W+ target)
};

struct E4eTrainEvent {
  int64_t step = 0, steps = 0;
  E4eLosses losses;
  double images_per_second = 0;  // encoder images of this session
  bool saved = false;
};
using E4eProgress = std::function<void(const E4eTrainEvent&)>;

class E4eTrainer {
 public:
  // `gen` is used frozen (its weights must not require grad; they are not changed). `real`,
  // optional, holds domain images [N, 3, S, S] uint8 (RGB, S = the encoder's input size), and
  // `real_draws` [N, kLatentAttributeDraws] the draws of their attributes (latent_draws_of),
  // which the read-out loss needs. With a non-empty `state_file` a saved run is resumed from it
  // (it must have been saved with the same config, generator and options: else
  // std::runtime_error).
  E4eTrainer(nets::LoadedGenerator& gen, const nets::E4eConfig& config,
             const E4eTrainOptions& options, torch::Tensor real = {},
             std::filesystem::path state_file = {}, torch::Tensor real_draws = {});
  ~E4eTrainer();
  E4eTrainer(const E4eTrainer&) = delete;
  E4eTrainer& operator=(const E4eTrainer&) = delete;

  int64_t step() const;
  bool resumed() const;
  nets::Encoder4Editing encoder() const;  // the module being trained (mode as left)
  torch::Tensor latent_avg() const;       // [D], the generator's

  // One step on the batch of step `step()`; returns its losses.
  E4eLosses train_step();
  // Steps until options.steps, saving the resume state every save_every steps.
  void train(const E4eProgress& progress = {});

  // encoder.<name> for every parameter and buffer, in PyTorch's state_dict order (CPU copies).
  io::StateDict checkpoint_state_dict() const;
  // {"state_dict", "latent_avg"} as encoder4editing saves it (atomic). `float16` stores the
  // floating weights in half precision (half the size; load_e4e converts them back) after
  // rounding the module's own weights the same way, so the file still gives its W+ exactly.
  void save_e4e(const std::filesystem::path& file, bool float16 = false);
  // The resume point (no-op without a state file).
  void save_state();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// W+ of images [B, 3, S, S] in [-1, 1] through `encoder` (eval mode, no grad) + latent_avg.
torch::Tensor encode_wplus(nets::Encoder4EditingImpl& encoder, const torch::Tensor& latent_avg,
                           const torch::Tensor& images);

// Mean PSNR (dB, on [0, 1]) of G(W+) against `images` [N, 3, S, S] in [-1, 1], W+ from
// `invert` ([B, 3, S, S] -> [B, L, D]), batches of `batch`.
double reconstruction_psnr(nets::GeneratorImpl& gen,
                           const std::function<torch::Tensor(const torch::Tensor&)>& invert,
                           const torch::Tensor& images, int64_t batch = 32);

// The first `count` PNGs (sorted by name) of `dir` as [N, 3, size, size] uint8 RGB, each made
// the e4e input size as the product does (PIL bilinear). Throws std::runtime_error naming a file
// that cannot be read.
torch::Tensor load_domain_images(const std::filesystem::path& dir, int64_t count, int64_t size);

// uint8 [N, 3, S, S] -> float [N, 3, S, S] in [-1, 1] (ToTensor + Normalize(0.5, 0.5)).
torch::Tensor images_to_unit_range(const torch::Tensor& u8);

}  // namespace deltaedit::demo_train
