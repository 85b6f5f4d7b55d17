#pragma once
// Checks a tensor against a fixture description {dtype, shape, values | sum, sum_sq, first}.
#include <string>

#include <torch/torch.h>

#include "tests/io/json_lite.h"

namespace deltaedit::testing {

// NumPy/PyTorch dtype name ("float32", "bool", ...) of a tensor.
std::string dtype_name(const torch::Tensor& t);

// Adds GoogleTest failures naming `what` for every mismatch.
void expect_tensor_matches(const torch::Tensor& t, const Json& expected, const std::string& what);

}  // namespace deltaedit::testing
