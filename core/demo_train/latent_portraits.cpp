#include "core/demo_train/latent_portraits.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include <ATen/Parallel.h>

#include "core/demo/latent_draws.h"
#include "core/demo/portrait_renderer.h"

namespace deltaedit::demo_train {

demo::FaceAttributes attributes_from_latent(const float* z, int64_t dim) {
  if (dim < kLatentAttributeDraws)
    throw std::invalid_argument("a demo latent needs at least " +
                                std::to_string(kLatentAttributeDraws) + " values, got " +
                                std::to_string(dim));
  double mean_square = 0;
  for (int64_t k = 0; k < dim; ++k) mean_square += static_cast<double>(z[k]) * z[k];
  const double inv_rms = 1.0 / std::sqrt(mean_square / static_cast<double>(dim) + 1e-8);
  std::vector<double> u(kLatentAttributeDraws);
  for (int k = 0; k < kLatentAttributeDraws; ++k)
    u[k] = 0.5 * std::erfc(-z[k] * inv_rms / std::sqrt(2.0));  // normal CDF
  return attributes_from_draws(u);
}

demo::FaceAttributes attributes_from_draws(const std::vector<double>& draws) {
  if (draws.size() < static_cast<size_t>(kLatentAttributeDraws))
    throw std::invalid_argument("attributes_from_draws: " + std::to_string(kLatentAttributeDraws) +
                                " draws needed, got " + std::to_string(draws.size()));
  std::vector<double> u(demo::kAttributeDraws, 0.5);  // the nuisance draws at the middle
  std::copy(draws.begin(), draws.begin() + kLatentAttributeDraws, u.begin());
  demo::LatentDraws source(std::move(u));
  demo::FaceAttributes a = demo::sample_attributes(source);
  a.nuisance = demo::Nuisance{};
  return a;
}

torch::Tensor latent_attribute_draws(const torch::Tensor& z) {
  const torch::Tensor x = z / (z.square().mean(1, true) + 1e-8).sqrt();
  return 0.5 * torch::erfc(-x.narrow(1, 0, kLatentAttributeDraws) / std::sqrt(2.0));
}

torch::Tensor latent_draws_of(const demo::FaceAttributes& a) {
  // The order of demo::sample_attributes' draws; a draw u below the chance means "yes".
  const auto binary = [](bool yes, double chance) { return yes ? chance / 2 : (1 + chance) / 2; };
  const auto in_class = [](auto c, int count) { return (static_cast<double>(c) + 0.5) / count; };
  const std::vector<double> u = {(a.smile + 1.0) / 2.0,
                                 in_class(static_cast<int>(a.hair_colour), demo::kHairColourCount),
                                 a.hair_length,
                                 binary(a.eyeglasses, demo::kGlassesChance),
                                 a.skin_tone,
                                 a.eye_size,
                                 binary(a.beard, demo::kBeardChance),
                                 in_class(static_cast<int>(a.background), demo::kBackgroundCount)};
  static_assert(kLatentAttributeDraws == 8);
  return torch::tensor(u, torch::kFloat64).to(torch::kFloat32);
}

torch::Tensor portrait_to_tensor(const cv::Mat& bgr) {
  if (bgr.type() != CV_8UC3) throw std::invalid_argument("portrait_to_tensor: expected 8-bit BGR");
  const cv::Mat c = bgr.isContinuous() ? bgr : bgr.clone();
  // [H, W, 3] BGR uint8 -> [3, H, W] RGB float in [-1, 1]
  torch::Tensor t = torch::from_blob(c.data, {c.rows, c.cols, 3}, torch::kUInt8)
                        .flip({2})
                        .permute({2, 0, 1})
                        .to(torch::kFloat32);
  return t.div(127.5).sub(1.0).contiguous();
}

torch::Tensor render_latents(const torch::Tensor& z, int size) {
  const torch::Tensor zc = z.to(torch::kCPU, torch::kFloat32).contiguous();
  const int64_t B = zc.size(0), D = zc.size(1);
  torch::Tensor out = torch::empty({B, 3, size, size});
  at::parallel_for(0, B, 1, [&](int64_t begin, int64_t end) {
    for (int64_t b = begin; b < end; ++b) {
      const auto attributes = attributes_from_latent(zc.data_ptr<float>() + b * D, D);
      out[b].copy_(portrait_to_tensor(demo::render_face(attributes, size)));
    }
  });
  return out;
}

}  // namespace deltaedit::demo_train
