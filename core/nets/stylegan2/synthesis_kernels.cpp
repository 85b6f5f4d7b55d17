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

torch::Tensor blur_phases_add_leaky_relu(const torch::Tensor& ee, const torch::Tensor& eo,
                                         const torch::Tensor& oe, const torch::Tensor& oo,
                                         const std::vector<float>& taps, int64_t pad0,
                                         const torch::Tensor& bias, const torch::Tensor& noise,
                                         double slope) {
  // phases of T [C, 2H+1, 2W+1] -> [1, C, 2H, 2W]
  const int64_t C = oo.size(1), H = oo.size(2), W = oo.size(3);
  const int64_t TH = 2 * H + 1, TW = 2 * W + 1, OH = 2 * H, OW = 2 * W;
  const int64_t K = static_cast<int64_t>(taps.size());
  TORCH_CHECK(cpu_float(ee) && cpu_float(eo) && cpu_float(oe) && cpu_float(oo) && cpu_float(noise),
              "blur_phases_add_leaky_relu: contiguous float32 CPU tensors expected");
  torch::Tensor out = torch::empty({1, C, OH, OW}, oo.options());
  const torch::Tensor bias_f = bias.to(torch::kFloat32).contiguous();
  const float* b = bias_f.data_ptr<float>();
  const float* nz = noise.data_ptr<float>();
  const float s = float(slope);
  // Flipped taps: the blur is a true convolution, computed as a correlation.
  std::vector<float> tf(taps.rbegin(), taps.rend());
  at::parallel_for(0, C, 1, [&](int64_t begin, int64_t end) {
    // Ring of the last K horizontally blurred rows of T, each OW wide.
    std::vector<float> ring(static_cast<size_t>(K * OW));
    // T row with pad0 zeros before and K zeros after, so the blur loop needs no bounds checks.
    std::vector<float> trow(static_cast<size_t>(TW + pad0 + K), 0.f);
    for (int64_t c = begin; c < end; ++c) {
      const float* pe[2] = {ee.data_ptr<float>() + c * (H + 1) * (W + 1), oe.data_ptr<float>() + c * H * (W + 1)};
      const float* po[2] = {eo.data_ptr<float>() + c * (H + 1) * W, oo.data_ptr<float>() + c * H * W};
      // T row p, blurred along x, into ring slot p mod K (zeros outside T).
      auto blur_row = [&](int64_t p) {
        float* dst = ring.data() + (((p % K) + K) % K) * OW;
        std::fill(dst, dst + OW, 0.f);
        if (p < 0 || p >= TH) return;
        const int64_t parity = p & 1, n = p >> 1;
        const float* even = pe[parity] + n * (W + 1);  // T[p, 2k]
        const float* odd = po[parity] + n * W;         // T[p, 2k + 1]
        float* t = trow.data() + pad0;
        for (int64_t k = 0; k < W; ++k) {
          t[2 * k] = even[k];
          t[2 * k + 1] = odd[k];
        }
        t[2 * W] = even[W];
        for (int64_t u = 0; u < K; ++u) {
          const float tap = tf[u];
          const float* src = trow.data() + u;  // dst[x] += T[x + u - pad0] * tf[u]
          for (int64_t x = 0; x < OW; ++x) dst[x] += src[x] * tap;
        }
      };
      // Output row q needs T rows q - pad0 .. q - pad0 + K - 1.
      for (int64_t p = -pad0; p < -pad0 + K - 1; ++p) blur_row(p);
      float* o = out.data_ptr<float>() + c * OH * OW;
      for (int64_t q = 0; q < OH; ++q) {
        blur_row(q - pad0 + K - 1);
        float* row = o + q * OW;
        const float* nrow = nz + q * OW;
        std::fill(row, row + OW, b[c]);
        for (int64_t u = 0; u < K; ++u) {
          const int64_t p = q + u - pad0;
          const float* src = ring.data() + (((p % K) + K) % K) * OW;
          const float t = tf[u];
          for (int64_t x = 0; x < OW; ++x) row[x] += src[x] * t;
        }
        for (int64_t x = 0; x < OW; ++x) row[x] = lrelu(row[x] + nrow[x], s);
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
  auto upsample_line = [&](const float* x, int64_t n, float* o) {
    for (int64_t q = 0; q < 2 * n; ++q) {
      float acc = 0.f;
      // m ranges where 0 <= q + padding - 2m < K
      const int64_t m_hi = (q + padding) / 2, m_lo = (q + padding - K + 2) / 2;
      for (int64_t m = std::max<int64_t>(0, m_lo); m <= std::min(n - 1, m_hi); ++m) {
        const int64_t t = q + padding - 2 * m;
        if (t >= 0 && t < K) acc += x[m] * taps[t];
      }
      o[q] = acc;
    }
  };
  // Along rows ([C, H, W] -> [C, H, 2W]), then along columns into `out`, a whole row at a time.
  std::vector<float> mid(static_cast<size_t>(C * H * 2 * W));
  const float* x = skip.data_ptr<float>();
  float* o = out.data_ptr<float>();
  at::parallel_for(0, C * H, 64, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) upsample_line(x + r * W, W, mid.data() + r * 2 * W);
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
