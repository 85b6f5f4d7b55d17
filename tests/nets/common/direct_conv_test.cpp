#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/nets/common/direct_conv.h"

namespace {

namespace F = torch::nn::functional;
using deltaedit::nets::direct_conv2d;
using deltaedit::nets::direct_conv2d_supported;

struct Case {
  int64_t in, out, h, w, kh, kw, pad_h, pad_w;
  bool bias;
};

// Odd widths leave ragged row tiles, 6 and 3 output channels a partial register block, and
// the kernel shapes are those of the synthesis network's plain and upsampling-phase convs.
const Case kCases[] = {
    {32, 32, 37, 50, 3, 3, 1, 1, true},  {5, 6, 9, 24, 3, 3, 1, 1, false},
    {8, 3, 11, 7, 3, 3, 1, 1, true},     {16, 8, 12, 25, 2, 2, 1, 1, false},
    {16, 8, 12, 25, 2, 1, 1, 0, false},  {16, 8, 12, 25, 1, 2, 0, 1, false},
    {16, 8, 12, 25, 1, 1, 0, 0, true},   {7, 12, 20, 49, 3, 3, 0, 0, true},
    {4, 4, 1, 1, 3, 3, 1, 1, true},      {64, 32, 33, 64, 3, 2, 1, 0, false},
};

TEST(DirectConv, MatchesLibTorchForEveryKernelShapePaddingAndRaggedSize) {
  torch::manual_seed(7);
  for (const Case& c : kCases) {
    const torch::Tensor x = torch::randn({1, c.in, c.h, c.w});
    const torch::Tensor w = torch::randn({c.out, c.in, c.kh, c.kw});
    const torch::Tensor b = c.bias ? torch::randn({c.out}) : torch::Tensor();
    if (!direct_conv2d_supported(x, w)) GTEST_SKIP() << "this CPU has no AVX2+FMA: LibTorch's conv is used";
    auto opts = F::Conv2dFuncOptions().padding(std::vector<int64_t>{c.pad_h, c.pad_w});
    if (c.bias) opts.bias(b);
    const torch::Tensor expected = F::conv2d(x, w, opts);
    const torch::Tensor got = direct_conv2d(x, w, b, c.pad_h, c.pad_w);
    ASSERT_EQ(got.sizes(), expected.sizes()) << "in " << c.in << " kernel " << c.kh << "x" << c.kw;
    // Sums of up to 576 unit-variance products: float32 rounding is ~1e-5 of their size.
    EXPECT_LT((got - expected).abs().max().item<float>(), 2e-4f * (1 + expected.abs().max().item<float>()))
        << "in " << c.in << " out " << c.out << " kernel " << c.kh << "x" << c.kw;
  }
}

TEST(DirectConv, RefusesWhatItCannotRun) {
  const torch::Tensor x = torch::randn({1, 4, 8, 8});
  EXPECT_FALSE(direct_conv2d_supported(x.to(torch::kFloat64), torch::randn({4, 4, 3, 3}, torch::kFloat64)));
  EXPECT_FALSE(direct_conv2d_supported(torch::randn({2, 4, 8, 8}), torch::randn({4, 4, 3, 3})));
  EXPECT_FALSE(direct_conv2d_supported(x, torch::randn({4, 4, 5, 5})));
  EXPECT_FALSE(direct_conv2d_supported(x, torch::randn({4, 3, 3, 3})));
  if (direct_conv2d_supported(x, torch::randn({4, 4, 3, 3}))) {
    EXPECT_THROW(direct_conv2d(x, torch::randn({4, 4, 3, 3}), {}, -1, 0), c10::Error);
  }
}

}  // namespace
