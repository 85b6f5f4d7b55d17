#include "core/nets/common/weights.h"

#include <algorithm>
#include <sstream>
#include <unordered_set>

#include "core/io/model_file_error.h"

namespace deltaedit::nets {
std::string shape_str(c10::IntArrayRef s) {
  std::ostringstream ss;
  ss << s;
  return ss.str();
}

void load_weights(torch::nn::Module& module, const io::StateDict& weights,
                  const std::vector<std::string>& ignored) {
  torch::NoGradGuard no_grad;
  std::unordered_set<std::string> used(ignored.begin(), ignored.end());
  auto load_one = [&](const std::string& name, torch::Tensor& dst) {
    const torch::Tensor* src = weights.find(name);
    if (!src)
      throw io::ModelFileError(weights.source(), "missing key '" + name + "' (expected shape " +
                                                     shape_str(dst.sizes()) + ")");
    if (src->sizes() != dst.sizes())
      throw io::ModelFileError(weights.source(), "key '" + name + "': expected shape " +
                                                     shape_str(dst.sizes()) + ", found " +
                                                     shape_str(src->sizes()));
    dst.copy_(src->to(dst.dtype()));
    used.insert(name);
  };
  for (auto& p : module.named_parameters(/*recurse=*/true)) load_one(p.key(), p.value());
  for (auto& b : module.named_buffers(/*recurse=*/true)) load_one(b.key(), b.value());

  std::vector<std::string> unexpected;
  for (const auto& [name, t] : weights.entries())
    if (!used.count(name)) unexpected.push_back(name);
  if (!unexpected.empty()) {
    std::string list;
    for (size_t i = 0; i < std::min<size_t>(unexpected.size(), 5); ++i)
      list += (i ? ", '" : "'") + unexpected[i] + "'";
    if (unexpected.size() > 5) list += ", ...";
    throw io::ModelFileError(weights.source(), std::to_string(unexpected.size()) +
                                                   " unexpected key(s) for this network: " + list);
  }
}

std::vector<int64_t> shape_of(const io::StateDict& weights, const std::string& key) {
  return weights.at(key).sizes().vec();
}

int64_t count_indexed(const io::StateDict& weights, const std::string& prefix,
                      const std::string& suffix) {
  int64_t n = 0;
  while (weights.contains(prefix + std::to_string(n) + suffix)) ++n;
  return n;
}

namespace {

void add_module_entries(io::StateDict& out, const torch::nn::Module& module, const std::string& prefix) {
  auto copy = [](const torch::Tensor& t) {
    const auto dtype = t.is_floating_point() ? torch::kFloat32 : t.scalar_type();
    return t.detach().to(torch::kCPU, dtype).contiguous().clone();
  };
  for (const auto& p : module.named_parameters(/*recurse=*/false)) out.add(prefix + p.key(), copy(p.value()));
  for (const auto& b : module.named_buffers(/*recurse=*/false)) out.add(prefix + b.key(), copy(b.value()));
  for (const auto& c : module.named_children()) add_module_entries(out, *c.value(), prefix + c.key() + ".");
}

}  // namespace

io::StateDict module_state_dict(const torch::nn::Module& module) {
  io::StateDict out;
  add_module_entries(out, module, "");
  return out;
}

}  // namespace deltaedit::nets
