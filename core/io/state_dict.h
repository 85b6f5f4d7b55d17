#pragma once
// An ordered name -> tensor map, remembering the file it came from so that every lookup error
// names the file and the key.
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::io {

class StateDict {
 public:
  StateDict() = default;
  explicit StateDict(std::filesystem::path source) : source_(std::move(source)) {}

  // Adds (or replaces, keeping the original position) a tensor.
  void add(const std::string& name, torch::Tensor tensor);

  const std::vector<std::pair<std::string, torch::Tensor>>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }
  bool empty() const { return entries_.empty(); }
  bool contains(std::string_view name) const { return find(name) != nullptr; }

  const torch::Tensor* find(std::string_view name) const;
  // Throws ModelFileError naming the file and the missing key.
  const torch::Tensor& at(std::string_view name) const;

  // The entries whose names start with `prefix`, with the prefix removed ("encoder.").
  StateDict with_prefix(std::string_view prefix) const;

  const std::filesystem::path& source() const { return source_; }
  void set_source(std::filesystem::path p) { source_ = std::move(p); }

 private:
  std::filesystem::path source_;
  std::vector<std::pair<std::string, torch::Tensor>> entries_;
  std::unordered_map<std::string, std::size_t> index_;
};

}  // namespace deltaedit::io
