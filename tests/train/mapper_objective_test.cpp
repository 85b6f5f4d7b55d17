// The text-free objective: condition, pair sampling, loss values, and gradients against finite
// differences (double precision, tiny mapper).
#include <gtest/gtest.h>

#include <set>

#include "core/train/mapper_objective.h"
#include "core/train/mapper_trainer.h"
#include "core/train/seed_streams.h"

namespace {

using namespace deltaedit;

TEST(MapperObjective, ConditionIsImageEmbeddingThenUnitDifference) {
  auto gen = train::stream_generator(7, train::Stream::kPairs, 0);
  const auto c = train::unit_rows(torch::randn({4, 5}, gen, torch::kFloat64));
  EXPECT_TRUE(torch::allclose(c.norm(2, 1), torch::ones({4}, torch::kFloat64)));
  const auto ci = c.narrow(0, 0, 2), cj = c.narrow(0, 2, 2);
  const auto cond = train::pair_condition(ci, cj);
  ASSERT_EQ(cond.sizes(), (std::vector<int64_t>{2, 10}));
  for (int64_t b = 0; b < 2; ++b) {
    for (int64_t e = 0; e < 5; ++e) {
      double norm = 0;
      for (int64_t k = 0; k < 5; ++k) {
        const double d = cj[b][k].item<double>() - ci[b][k].item<double>();
        norm += d * d;
      }
      norm = std::sqrt(norm);
      EXPECT_DOUBLE_EQ(cond[b][e].item<double>(), ci[b][e].item<double>());
      EXPECT_NEAR(cond[b][5 + e].item<double>(),
                  (cj[b][e].item<double>() - ci[b][e].item<double>()) / norm, 1e-15);
    }
  }
  // Identical embeddings: the difference is clamped, not divided by zero.
  const auto same = train::pair_condition(ci, ci);
  EXPECT_TRUE(torch::isfinite(same).all().item<bool>());
  EXPECT_EQ(same.narrow(1, 5, 5).abs().max().item<double>(), 0.0);
}

// The noise keeps the image half, keeps the delta a unit vector and turns it by the angle sigma
// sets: with the noise nearly orthogonal in 512 dimensions, cos = 1 / sqrt(1 + sigma^2).
TEST(MapperObjective, NoisyConditionTurnsTheUnitDeltaBySigma) {
  auto gen = train::stream_generator(3, train::Stream::kPairs, 0);
  const auto c = train::unit_rows(torch::randn({400, 512}, gen, torch::kFloat32));
  const auto cond = train::pair_condition(c.narrow(0, 0, 200), c.narrow(0, 200, 200));  // [200, 1024]
  for (const double sigma : {0.0, 0.5, 1.0, 3.0}) {
    auto a = train::stream_generator(5, train::Stream::kPairs, 1);
    const auto noisy = train::noisy_condition(cond, sigma, a);
    ASSERT_EQ(noisy.sizes(), cond.sizes());
    EXPECT_TRUE(torch::equal(noisy.narrow(1, 0, 512), cond.narrow(1, 0, 512)));
    const auto d = noisy.narrow(1, 512, 512);
    EXPECT_TRUE(torch::allclose(d.norm(2, 1), torch::ones({200}), 1e-5, 1e-5));
    const auto cosines = (d * cond.narrow(1, 512, 512)).sum(1);  // [200]
    const double expected = 1.0 / std::sqrt(1.0 + sigma * sigma);
    EXPECT_NEAR(cosines.mean().item<double>(), expected, 0.01) << "sigma " << sigma;
    EXPECT_LT(cosines.std().item<double>(), 0.05) << "sigma " << sigma;
    // The same stream gives the same noise; another stream another.
    auto again = train::stream_generator(5, train::Stream::kPairs, 1);
    EXPECT_TRUE(torch::equal(train::noisy_condition(cond, sigma, again), noisy));
    if (sigma > 0) {
      auto other = train::stream_generator(5, train::Stream::kPairs, 2);
      EXPECT_FALSE(torch::equal(train::noisy_condition(cond, sigma, other), noisy));
    }
  }
}

TEST(MapperObjective, PairsAreDistinctDeterministicAndCoverTheCodes) {
  auto g1 = train::stream_generator(3, train::Stream::kPairs, 11);
  auto g2 = train::stream_generator(3, train::Stream::kPairs, 11);
  auto g3 = train::stream_generator(3, train::Stream::kPairs, 12);
  const auto a = train::sample_pairs(5, 4000, g1);
  const auto b = train::sample_pairs(5, 4000, g2);
  const auto c = train::sample_pairs(5, 4000, g3);
  EXPECT_TRUE(torch::equal(a.i, b.i));
  EXPECT_TRUE(torch::equal(a.j, b.j));
  EXPECT_FALSE(torch::equal(a.i, c.i));
  EXPECT_EQ((a.i == a.j).sum().item<int64_t>(), 0);
  EXPECT_GE(a.i.min().item<int64_t>(), 0);
  EXPECT_LT(a.j.max().item<int64_t>(), 5);
  // Every ordered pair (i != j) appears, each about 4000 / 20 = 200 times.
  const auto code = a.i * 5 + a.j;
  const auto counts = torch::bincount(code, {}, 25);
  for (int64_t i = 0; i < 5; ++i)
    for (int64_t j = 0; j < 5; ++j) {
      const int64_t n = counts[i * 5 + j].item<int64_t>();
      if (i == j)
        EXPECT_EQ(n, 0);
      else
        EXPECT_GT(n, 120) << i << "," << j;
    }
  auto g = train::stream_generator(0, train::Stream::kPairs, 0);
  EXPECT_THROW(train::sample_pairs(1, 4, g), c10::Error);
}

TEST(MapperObjective, LossIsMeanSquaredErrorPlusOneMinusMeanCosine) {
  auto gen = train::stream_generator(1, train::Stream::kPairs, 0);
  const auto pred = torch::randn({3, 6}, gen, torch::kFloat64);
  const auto target = torch::randn({3, 6}, gen, torch::kFloat64);
  const auto loss = train::delta_loss(pred, target, {2.0, 0.5});
  double sq = 0, cos_sum = 0;
  for (int64_t b = 0; b < 3; ++b) {
    double dot = 0, np = 0, nt = 0;
    for (int64_t k = 0; k < 6; ++k) {
      const double p = pred[b][k].item<double>(), t = target[b][k].item<double>();
      sq += (p - t) * (p - t);
      dot += p * t;
      np += p * p;
      nt += t * t;
    }
    cos_sum += dot / std::sqrt(np * nt);
  }
  EXPECT_NEAR(loss.l2.item<double>(), sq / 18, 1e-14);
  EXPECT_NEAR(loss.cosine.item<double>(), 1 - cos_sum / 3, 1e-14);
  EXPECT_NEAR(loss.total.item<double>(), 2.0 * sq / 18 + 0.5 * (1 - cos_sum / 3), 1e-14);
  EXPECT_NEAR(train::delta_loss(target, target).total.item<double>(), 0.0, 1e-14);
}

// Central differences of a scalar function of one tensor entry.
double central_difference(const std::function<double()>& f, torch::Tensor& t, int64_t index,
                          double h) {
  auto flat = t.view({-1});
  const double x = flat[index].item<double>();
  flat[index] = x + h;
  const double up = f();
  flat[index] = x - h;
  const double down = f();
  flat[index] = x;
  return (up - down) / (2 * h);
}

TEST(MapperObjective, LossGradientMatchesFiniteDifferences) {
  auto gen = train::stream_generator(5, train::Stream::kPairs, 0);
  auto pred = torch::randn({4, 7}, gen, torch::kFloat64).requires_grad_(true);
  const auto target = torch::randn({4, 7}, gen, torch::kFloat64);
  train::delta_loss(pred, target).total.backward();
  const auto analytic = pred.grad().clone();
  torch::NoGradGuard no_grad;
  auto p = pred.detach().clone();
  const auto f = [&] { return train::delta_loss(p, target).total.item<double>(); };
  for (int64_t k = 0; k < p.numel(); ++k)
    EXPECT_NEAR(central_difference(f, p, k, 1e-6), analytic.view({-1})[k].item<double>(), 1e-8)
        << "entry " << k;
}

TEST(MapperObjective, MapperParameterGradientsMatchFiniteDifferences) {
  // A tiny DeltaMapper: 7 coarse/medium layers of width 2 and 3 fine channels (S = 17),
  // CLIP width 3 (condition 6), 2 linear layers per module, in double precision.
  const std::vector<int64_t> widths{2, 2, 2, 2, 2, 2, 2, 3};
  auto mapper = train::init_mapper(train::mapper_config_for(widths, 3, 2), 9);
  mapper->to(torch::kFloat64);
  auto gen = train::stream_generator(2, train::Stream::kPairs, 0);
  const auto s = torch::randn({6, 17}, gen, torch::kFloat64);
  const auto c = train::unit_rows(torch::randn({6, 3}, gen, torch::kFloat64));
  auto pg = train::stream_generator(2, train::Stream::kPairs, 1);
  const auto batch = train::make_pair_batch(s, c, train::sample_pairs(6, 5, pg));
  const auto loss = [&] {
    return train::delta_loss(mapper->forward(batch.s_i, batch.condition), batch.target).total;
  };
  mapper->zero_grad();
  loss().backward();
  int64_t checked = 0;
  double worst = 0;
  for (auto& p : mapper->named_parameters()) {
    const auto analytic = p.value().grad().clone();
    torch::NoGradGuard no_grad;
    auto data = p.value().detach();  // shares storage: nudging it changes the mapper
    for (int64_t k = 0; k < data.numel(); ++k) {
      const double fd = central_difference([&] { return loss().item<double>(); }, data, k, 1e-5);
      const double ad = analytic.view({-1})[k].item<double>();
      // Weights are stored x100 (lr_mul 0.01), so gradients are small: compare relative to
      // the largest gradient of the tensor.
      const double scale = std::max(1e-3, analytic.abs().max().item<double>());
      worst = std::max(worst, std::abs(fd - ad) / scale);
      EXPECT_NEAR(fd, ad, 1e-6 * scale) << p.key() << "[" << k << "]";
      ++checked;
    }
  }
  EXPECT_GT(checked, 100);
  std::cout << "[ finite differences ] " << checked << " parameters, worst relative error " << worst
            << "\n";
}

}  // namespace
