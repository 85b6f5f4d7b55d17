#pragma once
// A small random StyleGAN2 for the demo_train tests.
#include <cstdint>

#include "core/nets/stylegan2/generator.h"

namespace deltaedit::demo_train {

// `cfg`'s generator with weights drawn after torch::manual_seed(seed), frozen (no grad).
// latent_avg is zeros, or with `mean_of` > 0 the mean W of that many random latents.
nets::LoadedGenerator random_generator(const nets::GeneratorConfig& cfg, uint64_t seed,
                                       int64_t mean_of = 0);

}  // namespace deltaedit::demo_train
