#pragma once
// Random draws for the demo domain written out by hand: std::uniform_real_distribution and
// friends differ between standard libraries, and the dataset must be the same everywhere.
#include <cmath>
#include <cstdint>
#include <random>

namespace deltaedit::demo {

// The draws take any engine returning 64-bit words: std::mt19937_64 for the dataset, or
// LatentDraws (latent_draws.h) where a generator's latent code decides the portrait.

// Uniform in [0, 1) from the top 53 bits.
template <typename Rng>
double uniform01(Rng& rng) {
  return static_cast<double>(rng() >> 11) * (1.0 / 9007199254740992.0);
}

template <typename Rng>
double uniform(Rng& rng, double lo, double hi) {
  return lo + (hi - lo) * uniform01(rng);
}

// Integer in [0, n).
template <typename Rng>
int pick(Rng& rng, int n) {
  return static_cast<int>(uniform01(rng) * n);
}

template <typename Rng>
bool chance(Rng& rng, double p) {
  return uniform01(rng) < p;
}

// Seed of item `index` of stream `stream` under `seed` (splitmix64 finaliser), so that every
// image can be made on its own, in any order, by a resumed run.
inline uint64_t mix_seed(uint64_t seed, uint64_t stream, uint64_t index) {
  uint64_t z = seed * 0x9E3779B97F4A7C15ull + stream * 0xBF58476D1CE4E5B9ull + index;
  for (int round = 0; round < 2; ++round) {
    z += 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
  }
  return z;
}

}  // namespace deltaedit::demo
