#pragma once
// Counter-based seeding: every random draw of the training tools comes from a generator seeded
// by (user seed, purpose, index), e.g. the z of code shard k or the pairs of training step t.
// Results therefore do not depend on batch sizes, interruptions or resumption, and no random
// state has to be saved.
#include <cstdint>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace deltaedit::train {

enum class Stream : uint64_t {
  kCodeShard = 1,   // z of one code shard
  kPairs = 2,       // training pairs of one step
  kValidation = 3,  // the fixed validation pairs
  kRelevance = 4,   // codes sampled for the relevance statistics
  kInit = 5,        // initial mapper weights
  kDemoGenerator = 6,  // the demo generator's latent batches (index = step; ~0 = its init)
};

// SplitMix64 finalizer: a bijective 64-bit mix with good avalanche.
inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

inline uint64_t stream_seed(uint64_t seed, Stream stream, uint64_t index) {
  return splitmix64(splitmix64(splitmix64(seed) ^ static_cast<uint64_t>(stream)) ^ index);
}

// A CPU generator for (seed, stream, index). Draw on the CPU and move the result: the values
// are then the same on every device.
inline torch::Generator stream_generator(uint64_t seed, Stream stream, uint64_t index) {
  return at::detail::createCPUGenerator(stream_seed(seed, stream, index));
}

}  // namespace deltaedit::train
