#include "core/io/state_dict.h"

#include "core/io/model_file_error.h"

namespace deltaedit::io {

void StateDict::add(const std::string& name, torch::Tensor tensor) {
  if (auto it = index_.find(name); it != index_.end()) {
    entries_[it->second].second = std::move(tensor);
    return;
  }
  index_.emplace(name, entries_.size());
  entries_.emplace_back(name, std::move(tensor));
}

const torch::Tensor* StateDict::find(std::string_view name) const {
  auto it = index_.find(std::string(name));
  return it == index_.end() ? nullptr : &entries_[it->second].second;
}

const torch::Tensor& StateDict::at(std::string_view name) const {
  if (const auto* t = find(name)) return *t;
  throw ModelFileError(source_, "missing key '" + std::string(name) + "'");
}

StateDict StateDict::with_prefix(std::string_view prefix) const {
  StateDict out(source_);
  for (const auto& [name, t] : entries_)
    if (name.size() >= prefix.size() && name.compare(0, prefix.size(), prefix) == 0)
      out.add(name.substr(prefix.size()), t);
  return out;
}

}  // namespace deltaedit::io
