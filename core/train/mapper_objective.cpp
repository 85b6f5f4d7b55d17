#include "core/train/mapper_objective.h"

namespace deltaedit::train {

namespace {

// [B, E] -> [B, E]: rows divided by max(|row|, min_norm), so a zero row stays zero.
torch::Tensor unit_rows_clamped(const torch::Tensor& x, double min_norm) {
  return x / x.norm(2, -1, /*keepdim=*/true).clamp_min(min_norm);
}

}  // namespace

torch::Tensor unit_rows(const torch::Tensor& x) { return x / x.norm(2, -1, /*keepdim=*/true); }

torch::Tensor pair_condition(const torch::Tensor& c_i, const torch::Tensor& c_j) {
  return torch::cat({c_i, unit_rows_clamped(c_j - c_i, 1e-5)}, 1);  // [B, 2E]
}

torch::Tensor noisy_condition(const torch::Tensor& condition, double sigma, torch::Generator& gen) {
  TORCH_CHECK(condition.dim() == 2 && condition.size(1) % 2 == 0, "noisy_condition: shape ",
              condition.sizes());
  const int64_t e = condition.size(1) / 2;
  const auto d = condition.narrow(1, e, e);                                          // [B, E]
  const auto g = torch::randn({d.size(0), e}, gen, torch::kFloat32).to(d.device(), d.scalar_type());
  const auto moved = d + sigma * unit_rows_clamped(g, 1e-12);  // [B, E]
  return torch::cat({condition.narrow(1, 0, e), unit_rows_clamped(moved, 1e-5)}, 1);  // [B, 2E]
}

PairIndices sample_pairs(int64_t n, int64_t batch, torch::Generator& gen) {
  TORCH_CHECK(n >= 2, "pairs need at least 2 codes, got ", n);
  PairIndices p;
  p.i = torch::randint(n, {batch}, gen, torch::kInt64);
  // An offset in [1, n) makes j uniform over the codes other than i.
  p.j = (p.i + torch::randint(1, n, {batch}, gen, torch::kInt64)) % n;
  return p;
}

PairBatch make_pair_batch(const torch::Tensor& s, const torch::Tensor& c_unit,
                          const PairIndices& pairs) {
  const auto i = pairs.i.to(s.device()), j = pairs.j.to(s.device());
  PairBatch b;
  b.s_i = s.index_select(0, i);
  b.target = s.index_select(0, j) - b.s_i;
  b.condition = pair_condition(c_unit.index_select(0, i), c_unit.index_select(0, j));
  return b;
}

DeltaLoss delta_loss(const torch::Tensor& pred, const torch::Tensor& target,
                     const LossWeights& weights) {
  TORCH_CHECK(pred.sizes() == target.sizes() && pred.dim() == 2, "delta_loss: shapes ",
              pred.sizes(), " and ", target.sizes());
  DeltaLoss loss;
  loss.l2 = (pred - target).pow(2).mean();
  namespace F = torch::nn::functional;
  loss.cosine =
      1 - F::cosine_similarity(pred, target, F::CosineSimilarityFuncOptions().dim(-1)).mean();
  loss.total = weights.l2 * loss.l2 + weights.cosine * loss.cosine;
  return loss;
}

}  // namespace deltaedit::train
