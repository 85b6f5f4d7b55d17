#pragma once
// DeltaEdit's text-free training objective (scripts/train.py, datasets/train_dataset.py): for a
// pair (i, j) of codes the mapper sees s_i and the condition [c_i, normalize(c_j - c_i)] (c =
// unit CLIP image embeddings) and must predict delta_s = s_j - s_i. The loss is
//   l2_weight * mean((pred - target)^2) + cos_weight * (1 - mean_b cos(pred_b, target_b)).
#include <cstdint>

#include <torch/torch.h>

namespace deltaedit::train {

// [N, E] -> [N, E] with unit L2 rows (train_dataset.py: c / c.norm(), no clamp).
torch::Tensor unit_rows(const torch::Tensor& x);

// Unit c_i, c_j [B, E] -> condition [B, 2E] = cat(c_i, (c_j - c_i) / max(|c_j - c_i|, 1e-5)).
torch::Tensor pair_condition(const torch::Tensor& c_i, const torch::Tensor& c_j);

// condition [B, 2E] -> [B, 2E] with its unit delta half moved off its direction: each row becomes
// unit(d + sigma * unit(g)), g ~ N(0, I) from `gen`. At inference the mapper gets a text delta,
// which agrees with the image deltas it was trained on only in part (cosine ~0.7 for the demo
// CLIP); trained on noisy deltas it learns to act on what a delta shares with the image deltas
// and to ignore the rest (the noise injection that text-free captioning uses for the same gap).
// sigma 1 gives a cosine of ~0.71 between a noisy and a clean delta.
torch::Tensor noisy_condition(const torch::Tensor& condition, double sigma, torch::Generator& gen);

struct PairIndices {
  torch::Tensor i, j;  // int64 [B], i uniform over [0, n), j uniform over the others (j != i)
};

// `n` >= 2. Deterministic for a given generator state.
PairIndices sample_pairs(int64_t n, int64_t batch, torch::Generator& gen);

struct PairBatch {
  torch::Tensor s_i;        // [B, S] mapper input
  torch::Tensor condition;  // [B, 2E] mapper condition
  torch::Tensor target;     // [B, S] = s_j - s_i
};

// s [N, S], c_unit [N, E] (same device) -> the batch of `pairs` on that device.
PairBatch make_pair_batch(const torch::Tensor& s, const torch::Tensor& c_unit,
                          const PairIndices& pairs);

struct LossWeights {
  double l2 = 1.0;      // DeltaEdit's --l2_lambda
  double cosine = 1.0;  // DeltaEdit's --cos_lambda
};

struct DeltaLoss {
  torch::Tensor total;   // 0-dim, differentiable
  torch::Tensor l2;      // mean squared error over all B * S entries
  torch::Tensor cosine;  // 1 - mean cosine similarity of the rows (torch's eps 1e-8)
};

// pred, target [B, S] -> the objective.
DeltaLoss delta_loss(const torch::Tensor& pred, const torch::Tensor& target,
                     const LossWeights& weights = {});

}  // namespace deltaedit::train
