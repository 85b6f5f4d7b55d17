#include "core/engine/strength_preview_cache.h"

#include <cmath>
#include <stdexcept>
#include <vector>

namespace deltaedit::engine {

StrengthPreviewCache::StrengthPreviewCache(double spacing, std::size_t max_anchors)
    : spacing_(spacing), max_anchors_(max_anchors < 3 ? 3 : max_anchors) {
  if (!(spacing > 0)) throw std::invalid_argument("strength preview spacing must be positive");
}

void StrengthPreviewCache::use_line(const std::string& key) {
  std::lock_guard lock(mutex_);
  if (key == key_) return;
  key_ = key;
  anchors_.clear();
}

long StrengthPreviewCache::grid_index(double alpha) const { return std::lround(alpha / spacing_); }

bool StrengthPreviewCache::on_grid(double alpha) const {
  return std::abs(alpha - double(grid_index(alpha)) * spacing_) <= 1e-9 * std::max(1.0, std::abs(alpha));
}

std::optional<torch::Tensor> StrengthPreviewCache::interpolate(double alpha) const {
  std::lock_guard lock(mutex_);
  if (on_grid(alpha)) {
    auto it = anchors_.find(grid_index(alpha));
    if (it != anchors_.end()) return it->second;
    return std::nullopt;
  }
  const long i0 = static_cast<long>(std::floor(alpha / spacing_));
  auto a = anchors_.find(i0), b = anchors_.find(i0 + 1);
  if (a == anchors_.end() || b == anchors_.end()) return std::nullopt;
  // Third point: the grid strength on the nearer side, else the other, else linear.
  const double t = alpha / spacing_ - double(i0);  // in (0, 1)
  long third = t < 0.5 ? i0 - 1 : i0 + 2;
  auto c = anchors_.find(third);
  if (c == anchors_.end()) {
    third = t < 0.5 ? i0 + 2 : i0 - 1;
    c = anchors_.find(third);
  }
  if (c == anchors_.end()) return a->second * (1.0 - t) + b->second * t;
  // Lagrange weights in grid units: x = alpha / spacing, nodes i0, i0 + 1, third.
  const double x = alpha / spacing_;
  const double x0 = double(i0), x1 = double(i0 + 1), x2 = double(third);
  const double w0 = (x - x1) * (x - x2) / ((x0 - x1) * (x0 - x2));
  const double w1 = (x - x0) * (x - x2) / ((x1 - x0) * (x1 - x2));
  const double w2 = (x - x0) * (x - x1) / ((x2 - x0) * (x2 - x1));
  return a->second * w0 + b->second * w1 + c->second * w2;
}

void StrengthPreviewCache::add(double alpha, const torch::Tensor& image) {
  std::lock_guard lock(mutex_);
  if (!on_grid(alpha)) return;
  const long center = grid_index(alpha);
  anchors_[center] = image;
  while (anchors_.size() > max_anchors_) {
    // Drop the farthest end from the strength just added.
    const long lo = anchors_.begin()->first, hi = anchors_.rbegin()->first;
    anchors_.erase(std::abs(lo - center) >= std::abs(hi - center) ? lo : hi);
  }
}

std::optional<double> StrengthPreviewCache::next_missing(double alpha, int radius) const {
  std::lock_guard lock(mutex_);
  const long lo = static_cast<long>(std::floor(alpha / spacing_));
  // Order: the bracketing pair first (nearer one first), then outward alternately.
  std::vector<long> order;
  const bool lower_first = alpha / spacing_ - double(lo) < 0.5;
  for (int step = 0; step < radius + 1; ++step) {
    const long down = lo - step, up = lo + 1 + step;
    if (lower_first) {
      order.push_back(down);
      order.push_back(up);
    } else {
      order.push_back(up);
      order.push_back(down);
    }
  }
  for (long i : order)
    if (!anchors_.count(i)) return double(i) * spacing_;
  return std::nullopt;
}

std::size_t StrengthPreviewCache::size() const {
  std::lock_guard lock(mutex_);
  return anchors_.size();
}

}  // namespace deltaedit::engine
