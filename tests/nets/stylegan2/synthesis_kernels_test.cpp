#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/nets/stylegan2/synthesis_kernels.h"

namespace deltaedit::nets {
namespace {

struct Phases {
  torch::Tensor ee, eo, oe, oo;  // phase rows of T for input side H x W
  Phases rows(int64_t a, int64_t n, bool last) const {
    const int64_t ne = last ? n + 1 : n;
    return {ee.narrow(2, a, ne).contiguous(), eo.narrow(2, a, ne).contiguous(),
            oe.narrow(2, a, n).contiguous(), oo.narrow(2, a, n).contiguous()};
  }
};

Phases random_phases(int64_t C, int64_t H, int64_t W) {
  return {torch::randn({1, C, H + 1, W + 1}), torch::randn({1, C, H + 1, W}),
          torch::randn({1, C, H, W + 1}), torch::randn({1, C, H, W})};
}

// StyleGAN2's [1, 3, 3, 1] blur (1-D factor, normalised as separable_taps does) and pad0 1.
const std::vector<float> kTaps = {0.125f, 0.375f, 0.375f, 0.125f};

// All four phases as one band, blurred with kTaps (pad0 1), leaky ReLU slope 0.2.
torch::Tensor one_pass(const Phases& p, const torch::Tensor& bias, const torch::Tensor& noise) {
  PhaseBlurEpilogue e(p.oo.size(1), p.oo.size(2), p.oo.size(3), kTaps, 1, bias, noise, 0.2);
  e.add_band(p.ee, p.eo, p.oe, p.oo, 0);
  return e.finish();
}

// The epilogue against LibTorch: assemble T from its phases, blur it as a padded true
// convolution, add bias and noise, leaky ReLU.
torch::Tensor reference(const Phases& p, const torch::Tensor& bias, const torch::Tensor& noise) {
  const int64_t C = p.oo.size(1), H = p.oo.size(2), W = p.oo.size(3);
  auto T = torch::zeros({1, C, 2 * H + 1, 2 * W + 1});
  using torch::indexing::None;
  using torch::indexing::Slice;
  T.index_put_({Slice(), Slice(), Slice(0, None, 2), Slice(0, None, 2)}, p.ee);
  T.index_put_({Slice(), Slice(), Slice(0, None, 2), Slice(1, None, 2)}, p.eo);
  T.index_put_({Slice(), Slice(), Slice(1, None, 2), Slice(0, None, 2)}, p.oe);
  T.index_put_({Slice(), Slice(), Slice(1, None, 2), Slice(1, None, 2)}, p.oo);
  const auto t = torch::tensor(kTaps);
  const auto k2 = torch::outer(t, t).flip({0, 1}).view({1, 1, 4, 4}).expand({C, 1, 4, 4}).contiguous();
  namespace F = torch::nn::functional;
  // pad0 = 1 before; 2H+1 + pads - 4 + 1 = 2H leaves 1 after.
  const auto padded = F::pad(T, F::PadFuncOptions({1, 1, 1, 1}));
  auto y = F::conv2d(padded, k2, F::Conv2dFuncOptions().groups(C)) + bias.view({1, C, 1, 1}) + noise;
  return F::leaky_relu(y, F::LeakyReLUFuncOptions().negative_slope(0.2));
}

TEST(PhaseBlurEpilogue, MatchesTheAssembledTransposedConvBlurred) {
  torch::manual_seed(3);
  const int64_t C = 5, H = 7, W = 9;
  const auto p = random_phases(C, H, W);
  const auto bias = torch::randn({C}), noise = torch::randn({1, 1, 2 * H, 2 * W});
  const auto got = one_pass(p, bias, noise);
  const auto want = reference(p, bias, noise);
  ASSERT_EQ(got.sizes(), want.sizes());
  EXPECT_LT((got - want).abs().max().item<float>(), 1e-5f);
}

// Bands of any height, ragged last band included, give the very same output as one band.
TEST(PhaseBlurEpilogue, BandsGiveTheSameOutputAsOnePass) {
  torch::manual_seed(4);
  const int64_t C = 3, H = 11, W = 6;
  const auto p = random_phases(C, H, W);
  const auto bias = torch::randn({C}), noise = torch::randn({1, 1, 2 * H, 2 * W});
  const auto whole = one_pass(p, bias, noise);
  for (const int64_t band : {int64_t{1}, int64_t{2}, int64_t{4}, int64_t{10}}) {
    PhaseBlurEpilogue e(C, H, W, kTaps, 1, bias, noise, 0.2);
    for (int64_t a = 0; a < H; a += band) {
      const int64_t n = std::min(band, H - a);
      const auto b = p.rows(a, n, a + n == H);
      e.add_band(b.ee, b.eo, b.oe, b.oo, a);
    }
    EXPECT_TRUE(torch::equal(e.finish(), whole)) << "band " << band;
  }
}

TEST(PhaseBlurEpilogue, RefusesBandsOutOfOrderOrIncomplete) {
  const int64_t C = 2, H = 6, W = 4;
  const auto p = random_phases(C, H, W);
  const auto bias = torch::zeros({C}), noise = torch::zeros({1, 1, 2 * H, 2 * W});
  PhaseBlurEpilogue skipped(C, H, W, kTaps, 1, bias, noise, 0.2);
  const auto second = p.rows(2, 2, false);
  EXPECT_THROW(skipped.add_band(second.ee, second.eo, second.oe, second.oo, 2), c10::Error);
  PhaseBlurEpilogue unfinished(C, H, W, kTaps, 1, bias, noise, 0.2);
  const auto first = p.rows(0, 2, false);
  unfinished.add_band(first.ee, first.eo, first.oe, first.oo, 0);
  EXPECT_THROW(unfinished.finish(), c10::Error);
  // The last band must carry T's last even row.
  PhaseBlurEpilogue short_last(C, H, W, kTaps, 1, bias, noise, 0.2);
  short_last.add_band(first.ee, first.eo, first.oe, first.oo, 0);
  const auto last = p.rows(2, 4, false);
  EXPECT_THROW(short_last.add_band(last.ee, last.eo, last.oe, last.oo, 2), c10::Error);
}

}  // namespace
}  // namespace deltaedit::nets
