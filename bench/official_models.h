#pragma once
// The official networks at their full sizes (StyleGAN2 FFHQ config-f 1024, e4e ffhq_encode,
// CLIP ViT-B/32, DeltaEdit's DeltaMapper) with random weights, so the bench needs no model file.
// Architectures are the published hyper-parameters; when the fixtures' manifests are present the
// parameter names and shapes are checked against them (manifest_check()).
#include <filesystem>
#include <string>

#include <torch/torch.h>

#include "core/nets/clip/clip_model.h"
#include "core/nets/e4e/encoder4editing.h"
#include "core/nets/mapper/delta_mapper.h"
#include "core/nets/stylegan2/generator.h"

namespace deltaedit::bench {

// $DELTAEDIT_FIXTURES, else ../shared/fixtures next to the checkout (as the tests).
std::filesystem::path fixtures_dir();

// Built once per process (seeded), on the CPU in float32, inference mode.
nets::Generator& official_generator();
nets::LoadedE4e& official_e4e();
nets::ClipModel& official_clip();
nets::DeltaMapper& official_mapper();

// "names and shapes match the manifests" / "manifests not found (...)" / the first mismatch.
std::string manifest_check();

// Multiply-adds x 2 of one synthesis pass at `max_resolution` (0 = full), counting each
// convolution at its minimal cost (the transposed conv at the input grid): the work any
// implementation must do, so GFLOP/s figures are comparable between paths.
double synthesis_flops(const nets::GeneratorConfig& cfg, int64_t max_resolution = 0);

}  // namespace deltaedit::bench
