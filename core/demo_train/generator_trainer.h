#pragma once
// Trains the demo bundle's StyleGAN2 (rosinality's architecture and file format, small sizes)
// to render the portrait each latent code decides (latent_portraits.h): L1 + L2 regression of
// G(z) on the procedural render of z, Adam, and an exponential moving average of the weights
// that becomes g_ema, as rosinality's training keeps it. No discriminator is needed because the
// domain's renderer gives the right image for every z; the result is an ordinary generator
// (z -> mapping -> W -> synthesis) that every tool of the editor uses unchanged.
//
// Files: `out` = {"g_ema": state dict, "latent_avg": [style_dim]} (what nets::load_generator
// reads), written at every checkpoint; `out` + ".state" = the resume point ({"step", "g",
// "g_ema", "adam"}); a rerun with the same options continues from it.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "core/nets/stylegan2/generator_config.h"

namespace deltaedit::demo_train {

struct GeneratorTrainOptions {
  nets::GeneratorConfig architecture = default_architecture();
  int64_t steps = 2000;
  int64_t batch = 12;
  double learning_rate = 0.01;     // 5x StyleGAN2's GAN rate: regression is stable, and faster
  // From this fraction of `steps` on, the rate follows a half cosine down to 1/20 of it: a
  // constant rate leaves Adam's noise in the weights, which blurs the small features.
  double decay_start = 0.6;
  // The mapping's EqualLinear lr_mul (0.01) slows its learning 100x, a GAN stabiliser; here
  // the mapping must learn which latent entries decide what, so it learns at the full rate.
  double mapping_lr_boost = 100.0;
  double ema_decay = 0.998;         // reached after a warm-up: min(decay, (1 + t) / (10 + t))
  double l2_weight = 1.0;  // loss = |G(z) - x| + l2_weight (G(z) - x)^2, means
  // > 0: both terms weighted per pixel by attribute_loss_weights (attribute_regions.h), so that
  // the mouth, glasses, beard and eyes count as much as the large areas.
  double attribute_weight = 0.0;
  // > 0: adds this weight x the mean squared error of a linear read-out of W (trained along)
  // against the attribute draws z decides (latent_portraits.h), so that the mapping keeps every
  // one of them. Without it the first generator's mapping kept the draws of the large features
  // (background, skin, hair) and lost those of the smile, glasses, eyes and beard (a linear
  // read-out of its W explained 2-14 % of their variance), so nothing could draw them.
  double latent_code_weight = 0.0;
  // > 0: this fraction of each batch (its first samples) is drawn with the toRGB layers reading
  // another sample's W, against the portrait of the sample's own z. DeltaEdit edits S, the conv
  // modulations, and leaves toRGB on the photo's W+, so what toRGB draws cannot be edited: the
  // generator-regions generator drew 74 % of a skin-tone change and half of a hair-colour change
  // there. Trained this way, toRGB carries nothing of one portrait and S carries everything.
  double torgb_mix = 0.0;
  // When set and no resume state exists: start from this generator file's g_ema (fine-tuning)
  // instead of random weights.
  std::filesystem::path init;
  uint64_t seed = 0;
  int64_t save_every = 250;
  int64_t latent_avg_samples = 4096;

  // size 64, style_dim 128, 4 mapping layers, 32 channels at every resolution (9 conv layers,
  // S = 288 channels; DeltaMapper needs equal widths over 4..32 px). Training cost, not
  // quality, set the width: the flat cartoon domain needs little.
  static nets::GeneratorConfig default_architecture();
};

struct GeneratorTrainEvent {
  int64_t step = 0, steps = 0;
  double loss = 0;              // mean over the steps since the previous event
  double steps_per_second = 0;  // this session
  bool saved = false;
};

// The learning-rate factor of step `t` (0-based): 1 until decay_start * steps, then a half
// cosine down to 0.05 at the last step.
double generator_rate_factor(const GeneratorTrainOptions& options, int64_t t);

// Throws io::ModelFileError for an unreadable or mismatched resume state or init file.
void train_demo_generator(const std::filesystem::path& out, const GeneratorTrainOptions& options,
                          const std::function<void(const GeneratorTrainEvent&)>& progress);

}  // namespace deltaedit::demo_train
