#pragma once
// The demo generator's training targets: the portrait a latent code z decides. The first
// kLatentAttributeDraws entries of z / rms(z) (what the mapping network sees after its
// PixelNorm) become uniform numbers through the normal CDF and replace the draws of the named
// attributes in demo::sample_attributes (smile, hair colour and length, glasses, skin, eyes,
// beard, background), so every z names one portrait and nearby codes name similar ones; the
// rest of z is ignored. The nuisance parameters (pose, lighting, face shape, ...) stay at
// their neutral defaults: learning them too would take far more training than the bundle's
// CPU budget, and the edits are about the named attributes. Training the generator is then
// regression, not a GAN game.
#include <cstdint>
#include <vector>

#include <torch/torch.h>
#include <opencv2/core.hpp>

#include "core/demo/face_attributes.h"

namespace deltaedit::demo_train {

// The named attributes are the first draws of demo::sample_attributes.
inline constexpr int kLatentAttributeDraws = 8;

// z: `dim` >= kLatentAttributeDraws floats. Throws std::invalid_argument when dim is too small.
demo::FaceAttributes attributes_from_latent(const float* z, int64_t dim);

// The named attributes that the first kLatentAttributeDraws uniform draws decide (the nuisance
// ones at their neutral defaults): what attributes_from_latent makes of z's draws.
demo::FaceAttributes attributes_from_draws(const std::vector<double>& draws);

// The same uniform draws for a batch: z [B, D] -> [B, kLatentAttributeDraws] in [0, 1] (float,
// for losses and read-outs; attributes_from_latent computes them in double).
torch::Tensor latent_attribute_draws(const torch::Tensor& z);

// The inverse, as far as it goes: the draws [kLatentAttributeDraws] float32 that decide `a`'s
// named attributes. Exact for the continuous ones; the middle of the draw's range for a class
// (hair colour, background) or for having glasses or a beard or not.
torch::Tensor latent_draws_of(const demo::FaceAttributes& a);

// An 8-bit BGR portrait (OpenCV order, as demo::render_face gives it) -> [3, H, W] float32 RGB
// in [-1, 1], the generator's output range.
torch::Tensor portrait_to_tensor(const cv::Mat& bgr);

// z [B, D] -> the portraits [B, 3, size, size] float32 in [-1, 1] (CPU; rendered in parallel).
torch::Tensor render_latents(const torch::Tensor& z, int size);

}  // namespace deltaedit::demo_train
