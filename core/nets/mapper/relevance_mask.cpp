#include "core/nets/mapper/relevance_mask.h"

#include <sstream>
#include <stdexcept>

namespace deltaedit::nets {

torch::Tensor relevance(const torch::Tensor& fs3, const torch::Tensor& dt_raw) {
  if (fs3.dim() != 2 || dt_raw.dim() != 1 || fs3.size(1) != dt_raw.size(0)) {
    std::ostringstream ss;
    ss << "relevance: expected fs3 [S, E] and a text delta [E], got " << fs3.sizes() << " and "
       << dt_raw.sizes();
    throw std::invalid_argument(ss.str());
  }
  return torch::mv(fs3, dt_raw.to(fs3.options()));
}

torch::Tensor keep_mask(const torch::Tensor& fs3, const torch::Tensor& dt_raw, double beta) {
  return relevance(fs3, dt_raw).abs() >= beta;
}

torch::Tensor mask_delta_s(const torch::Tensor& delta_s, const torch::Tensor& keep) {
  if (delta_s.dim() != 2 || keep.dim() != 1 || delta_s.size(1) != keep.size(0)) {
    std::ostringstream ss;
    ss << "mask_delta_s: expected delta_s [B, S] and a mask [S], got " << delta_s.sizes() << " and "
       << keep.sizes();
    throw std::invalid_argument(ss.str());
  }
  const auto k = keep.to(delta_s.device(), torch::kBool).unsqueeze(0);
  return torch::where(k, delta_s, torch::zeros({}, delta_s.options()));
}

}  // namespace deltaedit::nets
