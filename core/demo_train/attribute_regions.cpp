#include "core/demo_train/attribute_regions.h"

#include <array>
#include <random>
#include <stdexcept>

#include <ATen/Parallel.h>

#include "core/demo/demo_random.h"
#include "core/demo/portrait_renderer.h"
#include "core/demo_train/attribute_counterparts.h"
#include "core/demo_train/latent_portraits.h"

namespace deltaedit::demo_train {

torch::Tensor attribute_region_map(int size, RegionPose pose, int64_t samples, uint64_t seed) {
  if (size < 8 || samples < 1) throw std::invalid_argument("attribute_region_map: bad size or samples");
  constexpr std::array kFamilies = {AttributeFamily::kSmile, AttributeFamily::kGlasses,
                                    AttributeFamily::kBeard, AttributeFamily::kEyes};
  // One partial sum per portrait and family, added up in order afterwards: the same map for any
  // thread count.
  torch::Tensor parts = torch::zeros({samples, static_cast<int64_t>(kFamilies.size()), size, size});
  at::parallel_for(0, samples, 1, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      std::mt19937_64 rng(demo::mix_seed(seed, 0x5265676E, static_cast<uint64_t>(i)));
      demo::FaceAttributes a;
      if (pose == RegionPose::kDataset) {
        a = demo::sample_attributes(rng);
      } else {
        std::array<float, kLatentAttributeDraws> z{};
        std::normal_distribution<float> normal;
        for (float& v : z) v = normal(rng);
        a = attributes_from_latent(z.data(), kLatentAttributeDraws);
      }
      // [3, S, S] in [-1, 1]
      const torch::Tensor x = portrait_to_tensor(demo::render_face(a, size));
      for (size_t f = 0; f < kFamilies.size(); ++f) {
        const torch::Tensor y =
            portrait_to_tensor(demo::render_face(counterpart(a, kFamilies[f], rng), size));
        parts[i][static_cast<int64_t>(f)].add_((x - y).abs().mean(0));  // [S, S]
      }
    }
  });
  // [families, S, S]; each family scaled to peak 1 so that a faint, low-contrast change (the
  // mouth) counts as much as a bold one (glasses).
  const torch::Tensor per_family = parts.sum(0);
  const torch::Tensor peaks = per_family.amax({1, 2}, true).clamp_min(1e-12);
  const torch::Tensor map = (per_family / peaks).sum(0);
  return map / map.max().clamp_min(1e-12);
}

torch::Tensor attribute_loss_weights(int size, RegionPose pose, double weight) {
  if (weight < 0) throw std::invalid_argument("attribute_loss_weights: negative weight");
  if (weight == 0) return torch::ones({1, 1, size, size});
  const torch::Tensor w = 1.0 + weight * attribute_region_map(size, pose);
  return (w / w.mean()).view({1, 1, size, size});
}

}  // namespace deltaedit::demo_train
