#include "core/nets/clip/clip_text_prefix.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/nets/clip/length_buckets.h"

namespace deltaedit::nets {
namespace {

void check_sequence(const std::vector<int64_t>& ids, const ClipModelImpl& clip,
                    const char* what) {
  if (ids.empty() || static_cast<int64_t>(ids.size()) > clip.context_length())
    throw std::invalid_argument(std::string("CLIP text ") + what + ": " +
                                std::to_string(ids.size()) + " tokens, expected 1.." +
                                std::to_string(clip.context_length()));
  for (const int64_t id : ids)
    if (id < 0 || id >= clip.vocab_size())
      throw std::invalid_argument(std::string("CLIP text ") + what + ": token id " +
                                  std::to_string(id) + " outside [0, " +
                                  std::to_string(clip.vocab_size()) + ")");
}

// Rows of `rows` zero-padded to the longest: [n, Lmax] int64 on `device`.
torch::Tensor padded_ids(const std::vector<const std::vector<int64_t>*>& rows,
                         const torch::Device& device) {
  size_t longest = 0;
  for (const auto* r : rows) longest = std::max(longest, r->size());
  auto ids = torch::zeros({static_cast<int64_t>(rows.size()), static_cast<int64_t>(longest)},
                          torch::kInt64);
  auto acc = ids.accessor<int64_t, 2>();
  for (size_t i = 0; i < rows.size(); ++i)
    for (size_t j = 0; j < rows[i]->size(); ++j) acc[i][j] = (*rows[i])[j];
  return ids.to(device);
}

}  // namespace

TextPrefixStates encode_text_prefixes(ClipModelImpl& clip,
                                      const std::vector<std::vector<int64_t>>& prefixes) {
  if (prefixes.empty()) throw std::invalid_argument("CLIP text prefixes: none given");
  std::vector<const std::vector<int64_t>*> rows;
  for (const auto& p : prefixes) {
    check_sequence(p, clip, "prefix");
    rows.push_back(&p);
  }
  const auto dtype = clip.text_projection.scalar_type();
  const auto ids = padded_ids(rows, clip.text_projection.device());  // [T, Pmax]
  const int64_t len = ids.size(1);
  auto x = clip.token_embedding->forward(ids).to(dtype) +
           clip.positional_embedding.slice(0, 0, len).to(dtype);  // [T, Pmax, Wt]
  // Padding sits after each prefix, so the causal mask keeps it out of the real positions.
  const auto mask = causal_mask(len, x.options());
  TextPrefixStates states{prefixes, {}};
  for (const auto& block : *clip.transformer->resblocks) {
    KeyValues kv;
    x = block->as<ResidualAttentionBlock>()->forward_after(x, {}, mask, &kv);
    // Compact copies: the views would keep the whole [T, Pmax, 3 Wt] projection alive.
    states.layers.push_back({kv.keys.contiguous(), kv.values.contiguous()});
  }
  return states;
}

torch::Tensor encode_text_continuations(ClipModelImpl& clip, const TextPrefixStates& prefixes,
                                        const std::vector<int64_t>& rows,
                                        const std::vector<std::vector<int64_t>>& continuations) {
  if (rows.size() != continuations.size())
    throw std::invalid_argument("CLIP text continuations: " + std::to_string(rows.size()) +
                                " prefix rows for " + std::to_string(continuations.size()) +
                                " continuations");
  const int64_t N = static_cast<int64_t>(rows.size());
  std::vector<int64_t> read_at(N);  // position in the continuation that the features come from
  for (int64_t n = 0; n < N; ++n) {
    if (rows[n] < 0 || rows[n] >= static_cast<int64_t>(prefixes.ids.size()))
      throw std::invalid_argument("CLIP text continuations: no prefix " + std::to_string(rows[n]));
    const auto& prefix = prefixes.ids[rows[n]];
    const auto& cont = continuations[n];
    check_sequence(cont, clip, "continuation");
    if (prefix.size() + cont.size() > static_cast<size_t>(clip.context_length()))
      throw std::invalid_argument("CLIP text: prefix and continuation exceed the context of " +
                                  std::to_string(clip.context_length()) + " tokens");
    const auto top = std::max_element(cont.begin(), cont.end());  // the first maximum
    if (*top <= *std::max_element(prefix.begin(), prefix.end()))
      throw std::invalid_argument("CLIP text: the features would be read inside the prefix");
    read_at[n] = top - cont.begin();
  }
  const auto device = clip.text_projection.device();
  const auto dtype = clip.text_projection.scalar_type();
  auto out = torch::empty({N, clip.text_projection.size(1)}, clip.text_projection.options());
  // Buckets of continuation length, as encode_text batches.
  std::vector<int64_t> order(N);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
    return continuations[a].size() < continuations[b].size();
  });
  std::vector<int64_t> sorted_lengths;
  for (const int64_t row : order) sorted_lengths.push_back(continuations[row].size());
  const float inf = std::numeric_limits<float>::infinity();
  for (const auto& [lo, hi] : length_buckets(sorted_lengths)) {
    const int64_t n = hi - lo;
    std::vector<const std::vector<int64_t>*> group;
    int64_t P = 0;
    for (int64_t i = lo; i < hi; ++i) {
      group.push_back(&continuations[order[i]]);
      P = std::max<int64_t>(P, prefixes.ids[rows[order[i]]].size());
    }
    const auto ids = padded_ids(group, device);  // [n, S]
    const int64_t S = ids.size(1);
    // Positions continue each prefix; the mask shows each query its prefix and the earlier
    // (and own) continuation tokens. Padding positions are clamped and never read.
    auto pos = torch::empty({n, S}, torch::kInt64);
    auto mask = torch::full({n, 1, S, P + S}, -inf);
    mask.slice(3, P, P + S).copy_(causal_mask(S, mask.options()));  // every row alike
    auto picked = torch::empty({n}, torch::kInt64), reads = torch::empty({n}, torch::kInt64);
    auto pos_at = pos.accessor<int64_t, 2>();
    for (int64_t i = 0; i < n; ++i) {
      const int64_t row = order[lo + i];
      const int64_t plen = static_cast<int64_t>(prefixes.ids[rows[row]].size());
      picked.data_ptr<int64_t>()[i] = rows[row];
      reads.data_ptr<int64_t>()[i] = read_at[row];
      for (int64_t s = 0; s < S; ++s) pos_at[i][s] = std::min(plen + s, clip.context_length() - 1);
      mask[i].slice(2, 0, plen).zero_();
    }
    auto x = clip.token_embedding->forward(ids).to(dtype) +
             clip.positional_embedding.index_select(0, pos.view(-1).to(device))
                 .view({n, S, -1})
                 .to(dtype);  // [n, S, Wt]
    const auto mask_dev = mask.to(device, dtype);
    const auto picked_dev = picked.to(device);
    int64_t layer = 0;
    for (const auto& block : *clip.transformer->resblocks) {
      const auto& kv = prefixes.layers.at(layer++);
      const KeyValues past{kv.keys.index_select(0, picked_dev).slice(2, 0, P),
                           kv.values.index_select(0, picked_dev).slice(2, 0, P)};
      x = block->as<ResidualAttentionBlock>()->forward_after(x, past, mask_dev);
    }
    x = layer_norm_fp32(clip.ln_final, x);  // [n, S, Wt]
    const auto at = torch::arange(n, torch::TensorOptions(torch::kInt64).device(device));
    const auto features = torch::matmul(x.index({at, reads.to(device)}), clip.text_projection);
    const auto dest = torch::tensor(std::vector<int64_t>(order.begin() + lo, order.begin() + hi));
    out.index_copy_(0, dest.to(device), features);
  }
  return out;  // [N, E]
}

}  // namespace deltaedit::nets
