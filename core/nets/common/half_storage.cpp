#include "core/nets/common/half_storage.h"

#include <ATen/Parallel.h>

#include "core/nets/common/half_widen_kernel.h"

namespace deltaedit::nets {
namespace {

// The kernel was built and this CPU runs it; checked here, in code built for the baseline CPU.
bool f16c_available() {
#if defined(__x86_64__)
  static const bool ok = kernels::kF16cKernelCompiled && __builtin_cpu_supports("f16c") &&
                         __builtin_cpu_supports("avx");
  return ok;
#else
  return false;
#endif
}

}  // namespace

torch::Tensor widened_to(const torch::Tensor& weight, const torch::Tensor& like) {
  if (weight.scalar_type() == like.scalar_type()) return weight;
  if (weight.scalar_type() != torch::kFloat16 || like.scalar_type() != torch::kFloat32 ||
      !weight.is_cpu() || !weight.is_contiguous() || weight.requires_grad() || !f16c_available())
    return weight.to(like.scalar_type());
  auto out = torch::empty(weight.sizes(), weight.options().dtype(torch::kFloat32));
  const auto* src = reinterpret_cast<const uint16_t*>(weight.data_ptr<at::Half>());
  float* dst = out.data_ptr<float>();
  at::parallel_for(0, weight.numel(), 1 << 16, [&](int64_t begin, int64_t end) {
    kernels::widen_half_f16c(src + begin, dst + begin, end - begin);
  });
  return out;
}

int64_t store_in_half(torch::nn::Module& module, const HalfSelector& select) {
  torch::NoGradGuard no_grad;
  int64_t saved = 0;
  for (auto& item : module.named_parameters(/*recurse=*/true)) {
    auto& p = item.value();
    if (!p.device().is_cpu() || p.scalar_type() != torch::kFloat32 || !select(item.key(), p)) continue;
    p.set_data(p.to(torch::kFloat16));
    saved += p.numel() * 2;
  }
  return saved;
}

}  // namespace deltaedit::nets
