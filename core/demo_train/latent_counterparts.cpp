#include "core/demo_train/latent_counterparts.h"

#include <cmath>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/demo/demo_random.h"
#include "core/demo_train/latent_portraits.h"

namespace deltaedit::demo_train {
namespace {

constexpr uint64_t kStreamLatentCounterparts = 0x1A7C;

double normal_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }

// The inverse of normal_cdf by bisection (the draws stay in [1e-3, 1 - 1e-3], |x| < 3.1).
double normal_quantile(double u) {
  double lo = -8, hi = 8;
  for (int i = 0; i < 80; ++i) {
    const double mid = 0.5 * (lo + hi);
    (normal_cdf(mid) < u ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

}  // namespace

int latent_entry(AttributeFamily family) {
  // demo::sample_attributes draws smile, hair colour, hair length, glasses, skin, eyes, beard,
  // background in that order.
  switch (family) {
    case AttributeFamily::kSmile: return 0;
    case AttributeFamily::kHairColour: return 1;
    case AttributeFamily::kHairLength: return 2;
    case AttributeFamily::kGlasses: return 3;
    case AttributeFamily::kSkin: return 4;
    case AttributeFamily::kEyes: return 5;
    case AttributeFamily::kBeard: return 6;
  }
  throw std::invalid_argument("latent_entry: unknown attribute family");
}

torch::Tensor latent_counterpart_pairs(const torch::Tensor& z, int64_t first_pair, uint64_t seed) {
  if (z.dim() != 2 || z.size(1) < kLatentAttributeDraws + 2)
    throw std::invalid_argument("latent_counterpart_pairs: z must be [B, D] with D >= " +
                                std::to_string(kLatentAttributeDraws + 2));
  const torch::Tensor zd = z.to(torch::kCPU, torch::kDouble).contiguous();
  const int64_t B = zd.size(0), D = zd.size(1);
  torch::Tensor out = torch::empty({2 * B, D}, torch::kDouble);
  for (int64_t i = 0; i < B; ++i) {
    const torch::Tensor row = zd[i];
    const double* x = row.data_ptr<double>();
    double total = 0, spare = 0;  // sums of squares: all entries, those past the draws
    for (int64_t k = 0; k < D; ++k) total += x[k] * x[k];
    for (int64_t k = kLatentAttributeDraws; k < D; ++k) spare += x[k] * x[k];
    const double rms = std::sqrt(total / static_cast<double>(D) + 1e-8);
    std::vector<double> draws(kLatentAttributeDraws);
    for (int k = 0; k < kLatentAttributeDraws; ++k) draws[static_cast<size_t>(k)] = normal_cdf(x[k] / rms);

    const uint64_t pair = static_cast<uint64_t>(first_pair + i);
    const auto family = static_cast<AttributeFamily>(pair % kAttributeFamilies);
    const int e = latent_entry(family);
    const std::string before = family_phrase(attributes_from_draws(draws), family);
    std::mt19937_64 rng(demo::mix_seed(seed, kStreamLatentCounterparts, pair));
    const auto too_short = [] {
      return std::invalid_argument(
          "latent_counterpart_pairs: the latent has too few entries past the attribute draws to keep its norm");
    };
    if (!(spare > 0)) throw too_short();
    // A fresh draw for the family until its phrase differs. The new entry keeps z / rms(z) at
    // that draw; the spare entries are rescaled so that the sum of squares, hence rms(z), is
    // unchanged, which a short latent allows only for draws near the middle.
    std::vector<double> moved = draws;
    double value = 0, spare_after = 0;
    for (int tries = 0;; ++tries) {
      if (tries == 1000) throw too_short();
      moved[static_cast<size_t>(e)] = demo::uniform(rng, 1e-3, 1 - 1e-3);
      value = normal_quantile(moved[static_cast<size_t>(e)]) * rms;
      spare_after = spare + x[e] * x[e] - value * value;
      if (spare_after > 0.01 * spare && family_phrase(attributes_from_draws(moved), family) != before) break;
    }
    torch::Tensor twin = row.clone();
    twin.narrow(0, kLatentAttributeDraws, D - kLatentAttributeDraws).mul_(std::sqrt(spare_after / spare));
    twin[e] = value;
    out[2 * i].copy_(row);
    out[2 * i + 1].copy_(twin);
  }
  return out.to(torch::kFloat32);
}

}  // namespace deltaedit::demo_train
