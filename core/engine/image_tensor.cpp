#include "core/engine/image_tensor.h"

#include <cstring>
#include <stdexcept>

namespace deltaedit::engine {

torch::Tensor rgb8_to_hwc_tensor(const face::RgbImage& image) {
  const cv::Mat& m = image.pixels;
  if (m.empty() || m.type() != CV_8UC3) throw std::invalid_argument("expected an 8-bit RGB image");
  auto t = torch::empty({m.rows, m.cols, 3}, torch::kUInt8);
  for (int y = 0; y < m.rows; ++y)
    std::memcpy(t.data_ptr<uint8_t>() + static_cast<size_t>(y) * m.cols * 3, m.ptr(y),
                static_cast<size_t>(m.cols) * 3);
  return t;
}

face::RgbImage image_tensor_to_rgb8(const torch::Tensor& image) {
  auto x = image.detach();
  if (x.dim() == 4) x = x[0];
  if (x.dim() != 3 || x.size(0) != 3) throw std::invalid_argument("expected a [3, H, W] image tensor");
  // [3, H, W] -> [H, W, 3] uint8
  auto u8 = ((x.to(torch::kCPU, torch::kFloat32) + 1.0) * 0.5)
                .clamp(0.0, 1.0)
                .mul(255.0)
                .add(0.5)
                .floor()
                .to(torch::kUInt8)
                .permute({1, 2, 0})
                .contiguous();
  face::RgbImage out;
  out.pixels.create(static_cast<int>(u8.size(0)), static_cast<int>(u8.size(1)), CV_8UC3);
  std::memcpy(out.pixels.data, u8.data_ptr<uint8_t>(), static_cast<size_t>(u8.numel()));
  return out;
}

}  // namespace deltaedit::engine
