#pragma once
// Previews for a moving strength slider. Along one edit the rendered image is a smooth function
// of the strength alpha, so once exact previews exist at grid strengths around the slider
// (rendered in idle time), a slider move is answered by quadratic interpolation between the
// nearest three in microseconds instead of a generator pass of seconds. The exact frame is still
// rendered when the slider is released. One cache holds one line (photo, edit, resolution).
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include <torch/torch.h>

namespace deltaedit::engine {

class StrengthPreviewCache {
 public:
  explicit StrengthPreviewCache(double spacing = 0.25, std::size_t max_anchors = 24);

  // Starts a new line when `key` differs from the current one (anchors dropped).
  void use_line(const std::string& key);

  // The preview at `alpha` from the anchors: exact when alpha is an anchor, quadratic between
  // the two grid strengths around it and the nearer next one, linear when only the two exist;
  // nullopt when either neighbour is missing.
  std::optional<torch::Tensor> interpolate(double alpha) const;

  // Keeps `image` when `alpha` is a grid strength (else ignores it); drops the anchors farthest
  // from `alpha` beyond max_anchors.
  void add(double alpha, const torch::Tensor& image);

  // The grid strength nearest to `alpha` (within `radius` steps on each side) that has no anchor.
  std::optional<double> next_missing(double alpha, int radius = 2) const;

  double spacing() const { return spacing_; }
  std::size_t size() const;

 private:
  long grid_index(double alpha) const;  // nearest grid index
  bool on_grid(double alpha) const;

  double spacing_;
  std::size_t max_anchors_;
  mutable std::mutex mutex_;
  std::string key_;
  std::map<long, torch::Tensor> anchors_;  // grid index -> image
};

}  // namespace deltaedit::engine
