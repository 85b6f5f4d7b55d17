#include "core/demo/sample_grid.h"

#include <stdexcept>

#include "core/demo/demo_dataset.h"
#include "core/demo/portrait_renderer.h"

namespace deltaedit::demo {

cv::Mat sample_grid(uint64_t seed, int count, int columns, int size) {
  if (count < 1 || columns < 1)
    throw std::invalid_argument("sample_grid: count and columns must be positive");
  const int rows = (count + columns - 1) / columns;
  const int cols = std::min(columns, count);
  cv::Mat grid(rows * size, cols * size, CV_8UC3, cv::Scalar::all(255));
  for (int i = 0; i < count; ++i) {
    const cv::Rect cell((i % cols) * size, (i / cols) * size, size, size);
    render_face(dataset_attributes(seed, Split::kTrain, i), size).copyTo(grid(cell));
  }
  return grid;
}

}  // namespace deltaedit::demo
