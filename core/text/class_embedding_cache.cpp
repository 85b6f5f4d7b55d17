#include "core/text/class_embedding_cache.h"

namespace deltaedit::text {

std::optional<torch::Tensor> ClassEmbeddingCache::find(const std::string& prompt) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(prompt);
  if (it == index_.end()) return std::nullopt;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void ClassEmbeddingCache::put(const std::string& prompt, torch::Tensor embedding) {
  std::lock_guard lock(mutex_);
  if (auto it = index_.find(prompt); it != index_.end()) {
    it->second->second = std::move(embedding);
    order_.splice(order_.begin(), order_, it->second);
    return;
  }
  order_.emplace_front(prompt, std::move(embedding));
  index_[prompt] = order_.begin();
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

void ClassEmbeddingCache::clear() {
  std::lock_guard lock(mutex_);
  order_.clear();
  index_.clear();
}

std::size_t ClassEmbeddingCache::size() const {
  std::lock_guard lock(mutex_);
  return order_.size();
}

}  // namespace deltaedit::text
