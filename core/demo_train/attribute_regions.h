#pragma once
// Where the small named attributes are drawn. A pixel loss averaged over the whole portrait lets
// the large areas (background, hair, skin) dominate: the demo generator learned them and drew no
// glasses and no beard, and e4e kept little of a smile. Weighting the loss by how much each pixel
// changes when the mouth, glasses, beard or eyes change makes those features count.
#include <cstdint>

#include <torch/torch.h>

namespace deltaedit::demo_train {

enum class RegionPose {
  kNeutral,  // the generator's portraits: every nuisance parameter at its default
  kDataset,  // the dataset's: head position, size, tilt and face shape vary (a softer map)
};

// [size, size] float32 in [0, 1]: for each of the smile, glasses, beard and eye families, the
// mean absolute change (over colour channels and `samples` portraits) between a portrait and its
// counterpart (attribute_counterparts.h), scaled to peak 1; their sum divided by its maximum.
// Deterministic for a seed.
torch::Tensor attribute_region_map(int size, RegionPose pose, int64_t samples = 512,
                                   uint64_t seed = 0);

// Per-pixel loss weights [1, 1, size, size]: 1 + weight * map, scaled to mean 1 so that a loss
// keeps its size (and the learning rate its meaning). weight 0 gives all ones.
torch::Tensor attribute_loss_weights(int size, RegionPose pose, double weight);

}  // namespace deltaedit::demo_train
