#include "core/nets/clip/clip_resample.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace deltaedit::nets {
namespace {

constexpr int64_t kUpsample = 7;  // DeltaEdit's Upsample(scale_factor=7), nearest

torch::Tensor build_matrix(int64_t side, int64_t kernel) {
  const int64_t out = kUpsample * side / kernel;  // AvgPool2d drops an incomplete last window
  auto a = torch::zeros({out, side}, torch::kFloat64);
  auto acc = a.accessor<double, 2>();
  for (int64_t o = 0; o < out; ++o)
    for (int64_t j = 0; j < kernel; ++j) acc[o][(o * kernel + j) / kUpsample] += 1.0 / kernel;
  return a;
}

}  // namespace

torch::Tensor deltaedit_resample_matrix(int64_t side, int64_t kernel) {
  if (side < 1 || kernel < 1 || kUpsample * side < kernel)
    throw std::invalid_argument("deltaedit_resample: side " + std::to_string(side) +
                                " and kernel " + std::to_string(kernel) +
                                " give no output pixel");
  static std::mutex mutex;
  static std::map<std::pair<int64_t, int64_t>, torch::Tensor> cache;
  std::lock_guard<std::mutex> lock(mutex);
  auto& m = cache[{side, kernel}];
  if (!m.defined()) m = build_matrix(side, kernel);
  return m;
}

torch::Tensor deltaedit_resample(const torch::Tensor& image, int64_t kernel) {
  if (image.dim() != 4 || !image.is_floating_point()) {
    std::ostringstream ss;
    ss << "deltaedit_resample expects a floating [N, C, H, W] image, got " << image.sizes()
       << " " << image.scalar_type();
    throw std::invalid_argument(ss.str());
  }
  // Summed in float64 on CPU (float32 on accelerators, which may lack it) and rounded once:
  // the result is then at least as close to the exact average as the reference's float32 pool.
  const auto compute = image.is_cuda() ? torch::kFloat32 : torch::kFloat64;
  const auto opts = image.options().dtype(compute);
  auto rows = deltaedit_resample_matrix(image.size(2), kernel).to(opts);  // [Oh, H]
  auto cols = deltaedit_resample_matrix(image.size(3), kernel).to(opts);  // [Ow, W]
  if (image.is_cuda()) {
    auto x = torch::matmul(rows, image.to(compute));             // [N, C, Oh, W]
    return torch::matmul(x, cols.t()).to(image.scalar_type());  // [N, C, Oh, Ow]
  }
  // On the CPU one plane and a band of rows at a time, so the extra memory is a few hundred KB
  // whatever the image size: out += rows[:, band] . (x[band, :] . cols^T).
  const int64_t N = image.size(0), C = image.size(1), H = image.size(2);
  const int64_t band = 64;
  auto out = torch::empty({N, C, rows.size(0), cols.size(0)}, image.options());
  const auto cols_t = cols.t();  // [W, Ow]
  for (int64_t n = 0; n < N; ++n)
    for (int64_t c = 0; c < C; ++c) {
      auto plane = torch::zeros({rows.size(0), cols.size(0)}, opts);  // [Oh, Ow]
      for (int64_t r0 = 0; r0 < H; r0 += band) {
        const int64_t r1 = std::min(H, r0 + band);
        const auto x = image[n][c].slice(0, r0, r1).to(compute);  // [b, W]
        plane.addmm_(rows.slice(1, r0, r1), x.mm(cols_t));        // [Oh, b] . [b, Ow]
      }
      out[n][c].copy_(plane);
    }
  return out;
}

int64_t deltaedit_resample_kernel(int64_t side) {
  if (side < 32 || side % 32 != 0)
    throw std::invalid_argument("DeltaEdit's CLIP resampling needs a side that is a multiple of "
                                "32 (kernel side/32), got " + std::to_string(side));
  return side / 32;
}

}  // namespace deltaedit::nets
