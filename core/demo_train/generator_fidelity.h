#pragma once
// Does the demo generator draw what its latent code decides? The attribute predictor (trained on
// the procedural ground truth, independent of CLIP) reads G(z) for sampled z and is compared with
// the attributes latent_portraits.h derives from the same z. An attribute the generator does not
// draw (the first generator drew no glasses and no beard) cannot be edited by any mapper.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/demo_train/attribute_predictor.h"
#include "core/nets/stylegan2/generator.h"

namespace deltaedit::demo_train {

struct AttributeFidelity {
  std::string attribute;  // "smile", ..., "glasses", "beard", "hair_colour", "background"
  // Regressions: Pearson correlation of the predicted and the decided value. Binary and class
  // attributes: the fraction of samples read as the decided value.
  double agreement = 0;
  std::string measure;  // "correlation" or "accuracy"
  // Binary attributes: the fraction of samples that should show it and are read as showing it.
  double recall = 0;
  // The same measure on the renderer's own portraits of the same z (the generator's training
  // targets): the ceiling, and a check that the predictor reads the domain.
  double target_agreement = 0, target_recall = 0;
};

struct GeneratorFidelity {
  int64_t samples = 0;
  std::vector<AttributeFidelity> attributes;
};

// `count` codes z ~ N(0, I) drawn from `seed` (no truncation), rendered in batches on the
// generator's device.
GeneratorFidelity measure_generator_fidelity(nets::LoadedGenerator& gen,
                                             const AttributePredictor& predictor, int64_t count,
                                             uint64_t seed);

// One markdown table.
std::string to_markdown(const GeneratorFidelity& f);

// The generator's own one-attribute changes (latent_counterparts.h): for each attribute family,
// the mean |change| of every side_effect_attributes() score between the two portraits of a pair,
// in standard deviations of the scores of the renderer's portraits of the pairs' first latents
// (the unit `demo evaluate` uses). The off-family entries
// are side effects that the generator itself makes (or the predictor reads into its drawings):
// no mapper's edit can have cleaner ones. The renderer's portraits of the same latents give the
// reference.
struct CounterpartEffects {
  int64_t pairs = 0;                  // per family
  std::vector<std::string> families;  // one per AttributeFamily, in its order
  torch::Tensor generator, targets;   // [families, side_effect_attributes()] float64
  // [families] float64: the share of a pair's pixel change (mean |difference|) still missing
  // when the second portrait's S is drawn with the first one's W in the toRGB layers. DeltaEdit
  // edits S and leaves toRGB on the photo's W+, so this part of a change no edit can make.
  torch::Tensor torgb_share;
};
CounterpartEffects measure_counterpart_effects(nets::LoadedGenerator& gen,
                                               const AttributePredictor& predictor,
                                               int64_t pairs_per_family, uint64_t seed);
std::string to_markdown(const CounterpartEffects& e);

// The first `pairs_per_family` counterpart pairs of each family from `seed`'s latents, as
// {generator, renderer} images [families, pairs_per_family, 2, 3, S, S] in [0, 1] (CPU).
std::pair<torch::Tensor, torch::Tensor> counterpart_samples(nets::LoadedGenerator& gen,
                                                            int64_t pairs_per_family, uint64_t seed);

// The first `count` of those samples (the same z for the same seed) as [count, 3, S, S] in
// [0, 1] on the CPU, for a contact sheet.
torch::Tensor generator_samples(nets::LoadedGenerator& gen, int64_t count, uint64_t seed);
// The renderer's portraits of the same latents (what the generator was trained to draw), alike.
torch::Tensor generator_targets(nets::LoadedGenerator& gen, int64_t count, uint64_t seed);

}  // namespace deltaedit::demo_train
