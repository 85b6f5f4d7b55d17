#include "tests/support/tensor_compare.h"

#include <algorithm>
#include <sstream>

namespace deltaedit::testing {

double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b) {
  auto da = a.detach().to(torch::kCPU, torch::kFloat64);
  auto db = b.detach().to(torch::kCPU, torch::kFloat64);
  if (da.numel() == 0) return 0.0;
  return (da - db).abs().max().item<double>();
}

::testing::AssertionResult close_to_reference(const torch::Tensor& ours, const torch::Tensor& ref,
                                              double rel) {
  if (ours.sizes() != ref.sizes()) {
    std::ostringstream ss;
    ss << "shape " << ours.sizes() << " != reference " << ref.sizes();
    return ::testing::AssertionFailure() << ss.str();
  }
  const double scale =
      ref.numel() ? std::max(1.0, ref.detach().to(torch::kFloat64).abs().max().item<double>()) : 1.0;
  const double err = max_abs_diff(ours, ref);
  const double tol = rel * scale;
  if (!(err <= tol))  // also catches NaN
    return ::testing::AssertionFailure()
           << "max abs error " << err << " > tolerance " << tol << " (rel " << rel
           << " x scale " << scale << ")";
  return ::testing::AssertionSuccess() << "max abs error " << err;
}

}  // namespace deltaedit::testing
