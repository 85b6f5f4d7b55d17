#pragma once
// Comparing our outputs with reference arrays under the fixtures README's tolerance rule:
// max |ours - ref| <= rel * max(1, max|ref|).
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/io/state_dict.h"

namespace deltaedit::testing {

// Max absolute difference (as double), after moving both to CPU float64.
double max_abs_diff(const torch::Tensor& a, const torch::Tensor& b);

// Shapes must match exactly; values within rel * max(1, max|ref|).
::testing::AssertionResult close_to_reference(const torch::Tensor& ours, const torch::Tensor& ref,
                                              double rel = 1e-4);

// The same names in the same order, each tensor bit for bit equal (a resumed or copied run).
::testing::AssertionResult same_state_dicts(const io::StateDict& a, const io::StateDict& b);

}  // namespace deltaedit::testing

#define EXPECT_CLOSE_TO_REF(ours, ref, rel) \
  EXPECT_TRUE(::deltaedit::testing::close_to_reference((ours), (ref), (rel)))
