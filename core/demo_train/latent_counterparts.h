#pragma once
// Counterpart pairs in the demo generator's latent space: a code z and the same code with the
// draw of one named attribute family moved to another caption level (glasses toggled, another
// hair colour, a smile instead of a frown, ...). The generator draws both, so the pair's
// StyleSpace difference is the generator's own full change of that one attribute, not what e4e
// keeps of it; DeltaEdit's mapper learns from such pairs what a one-attribute CLIP delta means.
#include <cstdint>

#include <torch/torch.h>

#include "core/demo_train/attribute_counterparts.h"
#include "core/demo_train/latent_portraits.h"

namespace deltaedit::demo_train {

// The name recorded in a code set made of such pairs (CodeSetInfo::pairing).
inline constexpr const char* kLatentCounterpartPairing = "demo-latent-counterparts";

// The entry of z (of its first kLatentAttributeDraws) whose draw decides `family`.
int latent_entry(AttributeFamily family);

// z [B, D] (D > kLatentAttributeDraws + 1) -> [2B, D] float32: row 2i is z_i, row 2i + 1 its
// counterpart in family (first_pair + i) mod kAttributeFamilies. The family's draw is replaced
// by a fresh one (from `seed` and the pair's index) until its caption phrase differs; the
// entries past the attribute draws, which the portrait ignores, absorb the change of norm so
// that z / rms(z), and with it every other draw, stays exactly as it was (a short latent takes
// only draws whose change they can absorb). Throws std::invalid_argument for a latent too short
// to do that.
torch::Tensor latent_counterpart_pairs(const torch::Tensor& z, int64_t first_pair, uint64_t seed);

}  // namespace deltaedit::demo_train
