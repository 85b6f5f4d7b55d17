#pragma once
// An engine for the demo_random.h draws that replays given uniform numbers instead of
// generating them, so that a latent code can decide a portrait: value u in [0, 1) comes out as
// the 64-bit word whose top 53 bits give back exactly u in uniform01. The demo generator is
// trained to render sample_attributes(LatentDraws(uniforms of z)) from z.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace deltaedit::demo {

class LatentDraws {
 public:
  explicit LatentDraws(std::vector<double> uniforms) : u_(std::move(uniforms)) {}

  uint64_t operator()() {
    if (next_ >= u_.size())
      throw std::out_of_range("LatentDraws: the portrait needs more than " +
                              std::to_string(u_.size()) + " latent values");
    const double u = std::clamp(u_[next_++], 0.0, 1.0 - 1.0 / 9007199254740992.0);
    return static_cast<uint64_t>(std::floor(u * 9007199254740992.0)) << 11;
  }
  size_t used() const { return next_; }

 private:
  std::vector<double> u_;
  size_t next_ = 0;
};

}  // namespace deltaedit::demo
