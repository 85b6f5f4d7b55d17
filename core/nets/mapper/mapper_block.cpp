#include "core/nets/mapper/mapper_block.h"

#include "core/nets/common/equal_linear.h"
#include "core/nets/common/fused_act.h"

namespace deltaedit::nets {

MapperBlockImpl::MapperBlockImpl(int64_t in_dim, int64_t out_dim, bool norm, int64_t depth) {
  if (norm)
    mapping->push_back(torch::nn::Functional([](torch::Tensor x) { return pixel_norm(x); }));
  for (int64_t i = 0; i < depth; ++i) {
    mapping->push_back(EqualLinear(i == 0 ? in_dim : out_dim, out_dim, /*lr_mul=*/0.01,
                                   /*fused_lrelu=*/true));
  }
  register_module("mapping", mapping);
}

torch::Tensor MapperBlockImpl::forward(const torch::Tensor& x) { return mapping->forward(x); }

}  // namespace deltaedit::nets
