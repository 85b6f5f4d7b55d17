#include "core/nets/e4e/e4e_input.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace deltaedit::nets {
namespace {

// Pillow keeps 8-bit filter weights as fixed point with 22 fractional bits.
constexpr int kPrecisionBits = 32 - 8 - 2;

// Per output pixel: first input pixel, number of taps, and fixed-point weights (Pillow's
// precompute_coeffs + normalize_coeffs_8bpc for the bilinear filter, support 1).
struct Taps {
  int ksize = 0;
  std::vector<int> first, count;
  std::vector<int32_t> weights;  // [out, ksize]
};

Taps bilinear_taps(int in_size, int out_size) {
  const double scale = static_cast<double>(in_size) / out_size;
  const double filterscale = std::max(scale, 1.0);  // antialiasing: widen the filter when shrinking
  const double support = 1.0 * filterscale;
  Taps t;
  t.ksize = static_cast<int>(std::ceil(support)) * 2 + 1;
  t.first.resize(out_size);
  t.count.resize(out_size);
  t.weights.assign(static_cast<size_t>(out_size) * t.ksize, 0);
  std::vector<double> k(t.ksize);
  for (int xx = 0; xx < out_size; ++xx) {
    const double center = (xx + 0.5) * scale;
    const double ss = 1.0 / filterscale;
    // Pillow rounds with (int)(v + 0.5), i.e. truncation toward zero, before clamping.
    int xmin = static_cast<int>(center - support + 0.5);
    xmin = std::max(xmin, 0);
    int xmax = static_cast<int>(center + support + 0.5);
    xmax = std::min(xmax, in_size) - xmin;
    double ww = 0.0;
    for (int x = 0; x < xmax; ++x) {
      const double d = std::abs((x + xmin - center + 0.5) * ss);
      k[x] = d < 1.0 ? 1.0 - d : 0.0;
      ww += k[x];
    }
    for (int x = 0; x < xmax; ++x) {
      const double w = ww != 0.0 ? k[x] / ww : k[x];
      const double f = w * (1 << kPrecisionBits);
      t.weights[static_cast<size_t>(xx) * t.ksize + x] =
          static_cast<int32_t>(w < 0 ? -0.5 + f : 0.5 + f);
    }
    t.first[xx] = xmin;
    t.count[xx] = xmax;
  }
  return t;
}

uint8_t clip8(int32_t v) {
  const int32_t s = v >> kPrecisionBits;
  return static_cast<uint8_t>(std::clamp<int32_t>(s, 0, 255));
}

// One pass along `axis` (0 = rows, 1 = columns) of a [H, W, C] uint8 image.
torch::Tensor resample_axis(const torch::Tensor& src, int axis, int out_size) {
  const int h = static_cast<int>(src.size(0)), w = static_cast<int>(src.size(1));
  const int c = static_cast<int>(src.size(2));
  const int in_size = axis == 0 ? h : w;
  const Taps t = bilinear_taps(in_size, out_size);
  const int oh = axis == 0 ? out_size : h, ow = axis == 0 ? w : out_size;
  auto dst = torch::empty({oh, ow, c}, torch::kUInt8);
  const uint8_t* in = src.data_ptr<uint8_t>();
  uint8_t* out = dst.data_ptr<uint8_t>();
  // Distance in bytes between neighbouring taps.
  const int64_t tap_stride = axis == 0 ? static_cast<int64_t>(w) * c : c;
  for (int y = 0; y < oh; ++y) {
    for (int x = 0; x < ow; ++x) {
      const int o = axis == 0 ? y : x;
      const int32_t* k = &t.weights[static_cast<size_t>(o) * t.ksize];
      const int64_t base = axis == 0 ? (static_cast<int64_t>(t.first[o]) * w + x) * c
                                     : (static_cast<int64_t>(y) * w + t.first[o]) * c;
      for (int ch = 0; ch < c; ++ch) {
        int32_t acc = 1 << (kPrecisionBits - 1);
        const uint8_t* p = in + base + ch;
        for (int i = 0; i < t.count[o]; ++i) acc += static_cast<int32_t>(p[i * tap_stride]) * k[i];
        out[(static_cast<int64_t>(y) * ow + x) * c + ch] = clip8(acc);
      }
    }
  }
  return dst;
}

void check_image(const torch::Tensor& img) {
  if (!img.defined() || img.dim() != 3 || img.scalar_type() != torch::kUInt8 || img.size(0) < 1 ||
      img.size(1) < 1)
    throw std::invalid_argument("expected an [H, W, C] uint8 image tensor");
}

}  // namespace

torch::Tensor pil_bilinear_resize(const torch::Tensor& hwc_u8, int64_t out_h, int64_t out_w) {
  check_image(hwc_u8);
  if (out_h < 1 || out_w < 1) throw std::invalid_argument("resize to an empty size");
  auto img = hwc_u8.to(torch::kCPU).contiguous();
  // Horizontal pass first, then vertical, each rounded to uint8; a pass runs only where the
  // size changes (as Pillow does).
  if (out_w != img.size(1)) img = resample_axis(img, 1, static_cast<int>(out_w));
  if (out_h != img.size(0)) img = resample_axis(img, 0, static_cast<int>(out_h));
  return img;
}

torch::Tensor pil_bilinear_resize_shorter(const torch::Tensor& hwc_u8, int64_t size) {
  check_image(hwc_u8);
  const int64_t h = hwc_u8.size(0), w = hwc_u8.size(1);
  const int64_t shorter = std::min(h, w), longer = std::max(h, w);
  // torchvision: new_long = int(size * long / short) (float division, truncated).
  const auto new_long = static_cast<int64_t>(static_cast<double>(size) * longer / shorter);
  return w <= h ? pil_bilinear_resize(hwc_u8, new_long, size)
                : pil_bilinear_resize(hwc_u8, size, new_long);
}

torch::Tensor e4e_input_from_rgb8(const torch::Tensor& hwc_u8, int64_t size) {
  check_image(hwc_u8);
  if (size < 1) throw std::invalid_argument("e4e input size must be positive");
  if (hwc_u8.size(2) != 3)
    throw std::invalid_argument("expected an RGB image with 3 channels, got " +
                                std::to_string(hwc_u8.size(2)));
  auto img = pil_bilinear_resize_shorter(hwc_u8, size);
  // ToTensor (u8 / 255) then Normalize(0.5, 0.5), in float32 as torchvision does.
  // [H, W, 3] -> [1, 3, H, W]
  auto x = img.permute({2, 0, 1}).to(torch::kFloat32).div(255.0).sub(0.5).div(0.5);
  return x.unsqueeze(0).contiguous();
}

}  // namespace deltaedit::nets
