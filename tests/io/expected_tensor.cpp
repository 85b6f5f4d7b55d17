#include "tests/io/expected_tensor.h"

#include <cmath>

#include <gtest/gtest.h>

#include "core/io/model_inspect.h"

namespace deltaedit::testing {

std::string dtype_name(const torch::Tensor& t) { return io::dtype_name(t.scalar_type()); }

void expect_tensor_matches(const torch::Tensor& t, const Json& e, const std::string& what) {
  ASSERT_TRUE(t.defined()) << what;
  EXPECT_EQ(dtype_name(t), e["dtype"].str()) << what;
  ASSERT_EQ(t.sizes().vec(), e["shape"].ints()) << what;
  // Values in C order as float64, independent of the stored strides.
  const torch::Tensor flat = t.to(torch::kDouble).contiguous().reshape({-1});
  const double* v = flat.data_ptr<double>();
  const int64_t n = flat.numel();
  if (const Json* values = e.find("values")) {
    const auto want = values->numbers();
    ASSERT_EQ(static_cast<int64_t>(want.size()), n) << what;
    for (int64_t i = 0; i < n; ++i) EXPECT_EQ(v[i], want[i]) << what << " element " << i;
    return;
  }
  double sum = 0, sum_sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    sum += v[i];
    sum_sq += v[i] * v[i];
  }
  const auto close = [](double a, double b) { return std::abs(a - b) <= 1e-6 * (1 + std::abs(b)); };
  EXPECT_PRED2(close, sum, e["sum"].num()) << what << " sum";
  EXPECT_PRED2(close, sum_sq, e["sum_sq"].num()) << what << " sum_sq";
  const auto first = e["first"].numbers();
  ASSERT_LE(static_cast<int64_t>(first.size()), n) << what;
  for (std::size_t i = 0; i < first.size(); ++i) EXPECT_EQ(v[i], first[i]) << what << " first " << i;
}

}  // namespace deltaedit::testing
