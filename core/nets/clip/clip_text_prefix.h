#pragma once
// The text tower run in two parts: token prefixes that many sequences share (the prompt
// templates' words before the prompt) once, then each sequence's own continuation attending to
// its prefix's cached keys and values. Exact up to float rounding: under the causal mask a
// prefix's states do not depend on what follows it. For a new prompt this skips the template
// words, about half of every filled template.
#include <cstdint>
#include <vector>

#include <torch/torch.h>

#include "core/nets/clip/clip_model.h"

namespace deltaedit::nets {

struct TextPrefixStates {
  std::vector<std::vector<int64_t>> ids;  // per prefix: its token ids (SOT first)
  // Per layer: [T, H, Pmax, Dh] keys and values; rows past a prefix's length are padding.
  std::vector<KeyValues> layers;
};

// Runs the T prefixes (each 1..context ids inside the vocabulary; std::invalid_argument
// otherwise) and keeps every layer's keys and values.
TextPrefixStates encode_text_prefixes(ClipModelImpl& clip,
                                      const std::vector<std::vector<int64_t>>& prefixes);

// Sequence n is prefix `rows[n]` followed by `continuations[n]`: [N] -> [N, E] projected
// features, NOT normalized, read like encode_text at the first position of the sequence's
// largest id. That position must lie in the continuation, and the whole sequence must fit the
// context (std::invalid_argument otherwise).
torch::Tensor encode_text_continuations(ClipModelImpl& clip, const TextPrefixStates& prefixes,
                                        const std::vector<int64_t>& rows,
                                        const std::vector<std::vector<int64_t>>& continuations);

}  // namespace deltaedit::nets
