#pragma once
// A contact sheet of demo portraits, for documentation and for eyeballing the domain.
#include <cstdint>

#include <opencv2/core.hpp>

namespace deltaedit::demo {

// The first `count` training images of the dataset with `seed` (the same pictures
// `deltaedit demo dataset --seed S` writes), `columns` per row, each size x size. BGR.
cv::Mat sample_grid(uint64_t seed, int count, int columns, int size);

}  // namespace deltaedit::demo
