#include "core/nets/stylegan2/synthesis_kernels.h"

#include <algorithm>

#include <ATen/Parallel.h>

namespace deltaedit::nets {
namespace {

namespace F = torch::nn::functional;

bool cpu_float(const torch::Tensor& t) {
  return t.device().is_cpu() && t.scalar_type() == torch::kFloat32 && t.is_contiguous();
}

inline float lrelu(float v, float slope) { return v > 0.f ? v : v * slope; }

}  // namespace

torch::Tensor shuffle_add_leaky_relu(const torch::Tensor& phases, const torch::Tensor& noise,
                                     double slope) {
  // [1, C*4, H, W] + [1, 1, 2H, 2W] -> [1, C, 2H, 2W]
  const int64_t C = phases.size(1) / 4, H = phases.size(2), W = phases.size(3);
  if (!cpu_float(phases) || !cpu_float(noise)) {
    torch::Tensor y = F::pixel_shuffle(phases, 2);
    y.add_(noise);
    return torch::leaky_relu_(y, slope);
  }
  torch::Tensor out = torch::empty({1, C, 2 * H, 2 * W}, phases.options());
  const float* in = phases.data_ptr<float>();
  const float* nz = noise.data_ptr<float>();
  float* o = out.data_ptr<float>();
  const float s = float(slope);
  // One task per (channel, input row): two output rows, each interleaving two phase rows.
  at::parallel_for(0, C * H, 16, [&](int64_t begin, int64_t end) {
    for (int64_t ch = begin; ch < end; ++ch) {
      const int64_t c = ch / H, h = ch % H;
      for (int64_t a = 0; a < 2; ++a) {
        const float* p0 = in + ((c * 4 + a * 2) * H + h) * W;
        const float* p1 = p0 + H * W;
        const float* n = nz + (2 * h + a) * 2 * W;
        float* row = o + (c * 2 * H + 2 * h + a) * 2 * W;
        for (int64_t w = 0; w < W; ++w) {
          row[2 * w] = lrelu(p0[w] + n[2 * w], s);
          row[2 * w + 1] = lrelu(p1[w] + n[2 * w + 1], s);
        }
      }
    }
  });
  return out;
}

void add_leaky_relu_(torch::Tensor& y, const torch::Tensor& noise, double slope) {
  // [1, C, H, W] += [1, 1, H, W], then leaky ReLU, in place
  if (!cpu_float(y) || !cpu_float(noise)) {
    y.add_(noise);
    torch::leaky_relu_(y, slope);
    return;
  }
  const int64_t C = y.size(1), HW = y.size(2) * y.size(3);
  float* p = y.data_ptr<float>();
  const float* nz = noise.data_ptr<float>();
  const float s = float(slope);
  at::parallel_for(0, C, 1, [&](int64_t begin, int64_t end) {
    for (int64_t c = begin; c < end; ++c) {
      float* row = p + c * HW;
      for (int64_t i = 0; i < HW; ++i) row[i] = lrelu(row[i] + nz[i], s);
    }
  });
}

torch::Tensor to_rgb_1x1(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias) {
  // [1, C, H, W] -> [1, 3, H, W]: [3, C] @ [C, H*W] + bias
  const int64_t C = x.size(1), H = x.size(2), W = x.size(3);
  return torch::addmm(bias.view({-1, 1}), w, x.reshape({C, H * W})).view({1, w.size(0), H, W});
}

void add_upsampled_(torch::Tensor& out, const torch::Tensor& skip, const std::vector<float>& taps,
                    int64_t padding, const torch::Tensor& kernel2d) {
  // out [1, 3, 2H, 2W] += upfirdn2d(skip [1, 3, H, W], up 2)
  const int64_t C = skip.size(1), H = skip.size(2), W = skip.size(3);
  if (!cpu_float(out) || !cpu_float(skip) || taps.empty()) {
    const int64_t k = kernel2d.size(0);
    out.add_(F::conv_transpose2d(
        skip, kernel2d.view({1, 1, k, k}).expand({C, 1, k, k}).to(skip.options()),
        F::ConvTranspose2dFuncOptions().stride(2).padding(padding).groups(C)));
    return;
  }
  const int64_t K = static_cast<int64_t>(taps.size());
  // o[q] = sum_m x[m] * taps[q + padding - 2m]: the transposed conv of one axis.
  auto upsample_line = [&](const float* x, int64_t n, int64_t stride_in, float* o, int64_t stride_out) {
    for (int64_t q = 0; q < 2 * n; ++q) {
      float acc = 0.f;
      // m ranges where 0 <= q + padding - 2m < K
      const int64_t m_hi = (q + padding) / 2, m_lo = (q + padding - K + 2) / 2;
      for (int64_t m = std::max<int64_t>(0, m_lo); m <= std::min(n - 1, m_hi); ++m) {
        const int64_t t = q + padding - 2 * m;
        if (t >= 0 && t < K) acc += x[m * stride_in] * taps[t];
      }
      o[q * stride_out] += acc;
    }
  };
  // Along rows ([C, H, W] -> [C, H, 2W]), then along columns into `out`, a whole row at a time.
  std::vector<float> mid(static_cast<size_t>(C * H * 2 * W), 0.f);
  const float* x = skip.data_ptr<float>();
  float* o = out.data_ptr<float>();
  at::parallel_for(0, C * H, 64, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) upsample_line(x + r * W, W, 1, mid.data() + r * 2 * W, 1);
  });
  const int64_t W2 = 2 * W;
  at::parallel_for(0, C * 2 * H, 16, [&](int64_t b, int64_t e) {
    for (int64_t cq = b; cq < e; ++cq) {
      const int64_t c = cq / (2 * H), q = cq % (2 * H);
      float* orow = o + cq * W2;
      for (int64_t m = std::max<int64_t>(0, (q + padding - K + 2) / 2); m <= std::min(H - 1, (q + padding) / 2); ++m) {
        const int64_t t = q + padding - 2 * m;
        if (t < 0 || t >= K) continue;
        const float tap = taps[t];
        const float* mrow = mid.data() + (c * H + m) * W2;
        for (int64_t i = 0; i < W2; ++i) orow[i] += tap * mrow[i];
      }
    }
  });
}

}  // namespace deltaedit::nets
