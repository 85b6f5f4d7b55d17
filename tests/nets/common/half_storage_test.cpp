#include "core/nets/common/half_storage.h"

#include <gtest/gtest.h>

namespace deltaedit::nets {
namespace {

struct TwoLayersImpl : torch::nn::Module {
  TwoLayersImpl() {
    big = register_module("big", torch::nn::Linear(64, 32));
    small = register_module("small", torch::nn::Linear(32, 4));
    wide = register_parameter("wide", torch::ones({3}, torch::kFloat64));
  }
  torch::nn::Linear big{nullptr}, small{nullptr};
  torch::Tensor wide;
};
TORCH_MODULE(TwoLayers);

TEST(HalfStorage, StoresTheSelectedFloat32ParametersInPlace) {
  TwoLayers net;
  const torch::Tensor held = net->big->weight;  // another holder sees the change too
  const auto before = net->big->weight.clone();
  const int64_t saved = store_in_half(*net, [](const std::string& name, const torch::Tensor&) {
    return name.ends_with("weight") || name == "wide";
  });
  EXPECT_EQ(saved, 2 * (64 * 32 + 32 * 4));  // float64 "wide" is not float32: left alone
  EXPECT_EQ(held.scalar_type(), torch::kFloat16);
  EXPECT_EQ(net->small->weight.scalar_type(), torch::kFloat16);
  EXPECT_EQ(net->big->bias.scalar_type(), torch::kFloat32);
  EXPECT_EQ(net->wide.scalar_type(), torch::kFloat64);
  // Rounded to float16: relative error at most 2^-11.
  const auto err = (net->big->weight.to(torch::kFloat32) - before).abs();
  EXPECT_TRUE((err <= before.abs() * (1.0 / 2048) + 1e-7).all().item<bool>());
  EXPECT_GT(err.max().item<double>(), 0.0);
}

TEST(HalfStorage, WidenedToReturnsTheSameTensorWhenTheDtypeMatches) {
  const auto x = torch::randn({2, 3});
  const auto w32 = torch::randn({3, 3});
  EXPECT_TRUE(widened_to(w32, x).is_same(w32));
  const auto w16 = w32.to(torch::kFloat16);
  const auto widened = widened_to(w16, x);
  EXPECT_EQ(widened.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(torch::equal(widened, w16.to(torch::kFloat32)));
}

// The F16C path (where the CPU has it) converts every half value as LibTorch does: normal,
// subnormal, zero, infinite and NaN bit patterns, and lengths that are not a multiple of 8.
TEST(HalfStorage, WidensEveryHalfValueExactly) {
  auto bits = torch::arange(0, 65536, torch::kInt32).to(torch::kInt16);  // every bit pattern
  const auto all = bits.view(torch::kFloat16);
  const auto like = torch::zeros({1});
  const auto expected = all.to(torch::kFloat32);
  const auto widened = widened_to(all, like);
  const auto nan = torch::isnan(expected);
  EXPECT_TRUE(torch::equal(torch::isnan(widened), nan));
  EXPECT_TRUE(torch::equal(widened.masked_fill(nan, 0), expected.masked_fill(nan, 0)));
  for (int64_t n : {1, 7, 9, 8191}) {
    const auto part = all.slice(0, 1000, 1000 + n);
    EXPECT_TRUE(torch::equal(widened_to(part, like), part.to(torch::kFloat32))) << n;
  }
  // A non-contiguous view takes LibTorch's path and gives the same.
  const auto strided = all.slice(0, 0, 2000, 3);
  EXPECT_TRUE(torch::equal(widened_to(strided, like), strided.to(torch::kFloat32)));
}

}  // namespace
}  // namespace deltaedit::nets
