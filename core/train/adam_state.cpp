#include "core/train/adam_state.h"

#include <memory>

#include "core/io/model_file_error.h"

namespace deltaedit::train {
namespace {

// LibTorch keys Adam's per-parameter state by the parameter's TensorImpl address.
std::string adam_key(const torch::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());
}

}  // namespace

void add_adam_state(io::StateDict& out, const torch::optim::Adam& adam,
                    const torch::nn::Module& module, const std::string& prefix) {
  auto& states = const_cast<torch::optim::Adam&>(adam).state();
  for (const auto& p : module.named_parameters()) {
    const auto it = states.find(adam_key(p.value()));
    if (it == states.end()) continue;  // no step taken yet
    const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
    out.add(prefix + p.key() + ".exp_avg", s.exp_avg().to(torch::kCPU).contiguous());
    out.add(prefix + p.key() + ".exp_avg_sq", s.exp_avg_sq().to(torch::kCPU).contiguous());
  }
}

void restore_adam_state(torch::optim::Adam& adam, const torch::nn::Module& module,
                        const io::StateDict& state, int64_t step, const std::string& prefix) {
  if (step <= 0) return;
  for (const auto& p : module.named_parameters()) {
    auto s = std::make_unique<torch::optim::AdamParamState>();
    s->step(step);
    s->exp_avg(state.at(prefix + p.key() + ".exp_avg").to(p.value().device()).clone());
    s->exp_avg_sq(state.at(prefix + p.key() + ".exp_avg_sq").to(p.value().device()).clone());
    if (s->exp_avg().sizes() != p.value().sizes() || s->exp_avg_sq().sizes() != p.value().sizes())
      throw io::ModelFileError(state.source(),
                               "Adam state of '" + p.key() + "' has the wrong shape");
    adam.state()[adam_key(p.value())] = std::move(s);
  }
}

}  // namespace deltaedit::train
