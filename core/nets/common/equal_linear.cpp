#include "core/nets/common/equal_linear.h"

#include <cmath>

#include "core/nets/common/fused_act.h"
#include "core/nets/common/half_storage.h"

namespace deltaedit::nets {

EqualLinearImpl::EqualLinearImpl(int64_t in_dim, int64_t out_dim, double lr_mul_, bool lrelu,
                                 double bias_init)
    : scale(lr_mul_ / std::sqrt(static_cast<double>(in_dim))), lr_mul(lr_mul_), fused_lrelu(lrelu) {
  weight = register_parameter("weight", torch::randn({out_dim, in_dim}) / lr_mul);
  bias = register_parameter("bias", torch::full({out_dim}, bias_init));
}

torch::Tensor EqualLinearImpl::forward(const torch::Tensor& x) {
  // [..., in] -> [..., out]. Scaling the output instead of the weight avoids a scaled copy of
  // the whole weight matrix per call (331 MB in the full-size DeltaMapper).
  auto y = torch::nn::functional::linear(x, widened_to(weight, x)).mul_(scale);
  if (fused_lrelu) return fused_leaky_relu(y, bias * lr_mul);
  return y.add_(bias * lr_mul);
}

}  // namespace deltaedit::nets
