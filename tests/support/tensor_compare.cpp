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

::testing::AssertionResult same_state_dicts(const io::StateDict& a, const io::StateDict& b) {
  if (a.size() != b.size())
    return ::testing::AssertionFailure() << a.size() << " entries against " << b.size();
  for (size_t k = 0; k < a.size(); ++k) {
    const auto& [name, t] = a.entries()[k];
    if (name != b.entries()[k].first)
      return ::testing::AssertionFailure() << "entry " << k << ": " << name << " against " << b.entries()[k].first;
    if (!torch::equal(t, b.entries()[k].second)) return ::testing::AssertionFailure() << name << " differs";
  }
  return ::testing::AssertionSuccess();
}

}  // namespace deltaedit::testing
