#pragma once
// Class embeddings by prompt text, so that the source prompt ("face") and recently used targets
// are encoded once per loaded CLIP. Bounded (least recently used dropped); thread-safe.
#include <cstddef>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include <torch/torch.h>

namespace deltaedit::text {

class ClassEmbeddingCache {
 public:
  explicit ClassEmbeddingCache(std::size_t capacity = 64) : capacity_(capacity ? capacity : 1) {}

  std::optional<torch::Tensor> find(const std::string& prompt);
  void put(const std::string& prompt, torch::Tensor embedding);
  void clear();
  std::size_t size() const;

 private:
  using Entry = std::pair<std::string, torch::Tensor>;
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

}  // namespace deltaedit::text
