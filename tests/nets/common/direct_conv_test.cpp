#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/nets/common/direct_conv.h"

namespace {

namespace F = torch::nn::functional;
using deltaedit::nets::direct_conv2d;
using deltaedit::nets::direct_conv2d_rows;
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

// A band of output rows is computed exactly as in the whole output (same sums in the same
// order), including the bands whose input rows reach into the zero padding.
TEST(DirectConv, RowBandsEqualTheWholeOutput) {
  torch::manual_seed(8);
  for (const Case& c : kCases) {
    const torch::Tensor x = torch::randn({1, c.in, c.h, c.w});
    const torch::Tensor w = torch::randn({c.out, c.in, c.kh, c.kw});
    const torch::Tensor b = c.bias ? torch::randn({c.out}) : torch::Tensor();
    if (!direct_conv2d_supported(x, w)) GTEST_SKIP() << "this CPU has no AVX2+FMA";
    const torch::Tensor whole = direct_conv2d(x, w, b, c.pad_h, c.pad_w);
    const int64_t rows = whole.size(2);
    for (const int64_t band : {int64_t{1}, int64_t{3}, int64_t{8}}) {
      std::vector<torch::Tensor> parts;
      for (int64_t r = 0; r < rows; r += band) {
        const int64_t end = std::min(rows, r + band);
        parts.push_back(direct_conv2d_rows(x, w, b, c.pad_h, c.pad_w, r, end));
        ASSERT_EQ(parts.back().sizes(), whole.narrow(2, r, end - r).sizes());
      }
      EXPECT_TRUE(torch::equal(torch::cat(parts, 2), whole))
          << "in " << c.in << " kernel " << c.kh << "x" << c.kw << " band " << band;
    }
    EXPECT_THROW(direct_conv2d_rows(x, w, b, c.pad_h, c.pad_w, 0, rows + 1), c10::Error);
    EXPECT_THROW(direct_conv2d_rows(x, w, b, c.pad_h, c.pad_w, 1, 1), c10::Error);
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
