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

PhaseBlurEpilogue::PhaseBlurEpilogue(int64_t channels, int64_t H, int64_t W, std::vector<float> taps,
                                     int64_t pad0, const torch::Tensor& bias, const torch::Tensor& noise,
                                     double slope)
    : C_(channels), H_(H), W_(W), K_(static_cast<int64_t>(taps.size())), pad0_(pad0),
      slope_(static_cast<float>(slope)), taps_(taps.rbegin(), taps.rend()), fed_(-pad0) {
  // Flipped taps: the blur is a true convolution, computed as a correlation.
  TORCH_CHECK(cpu_float(noise) && noise.numel() == 4 * H * W && K_ > 0,
              "PhaseBlurEpilogue: float32 CPU noise of the output size expected");
  bias_ = bias.to(torch::kFloat32).contiguous();
  noise_ = noise;
  out_ = torch::empty({1, C_, 2 * H, 2 * W}, noise.options());
  ring_.assign(static_cast<size_t>(C_ * K_ * 2 * W), 0.f);
}

void PhaseBlurEpilogue::feed(const torch::Tensor* ee, const torch::Tensor* eo, const torch::Tensor* oe,
                             const torch::Tensor* oo, int64_t a, int64_t t_end) {
  // T rows [fed_, t_end): rows outside [0, 2H] are zeros; the others come from the band's phases,
  // whose row 0 is phase row a (T row 2a for ee/eo, 2a + 1 for oe/oo).
  const int64_t TH = 2 * H_ + 1, OH = 2 * H_, OW = 2 * W_, W = W_, K = K_, pad0 = pad0_;
  const int64_t from = fed_;
  if (t_end <= from) return;
  const float* b = bias_.data_ptr<float>();
  const float* nz = noise_.data_ptr<float>();
  float* o = out_.data_ptr<float>();
  const float s = slope_;
  const float* tf = taps_.data();
  const auto plane = [](const torch::Tensor* t, int64_t c) {
    return t ? t->data_ptr<float>() + c * t->size(2) * t->size(3) : nullptr;
  };
  at::parallel_for(0, C_, 1, [&](int64_t begin, int64_t end) {
    // T row with pad0 zeros before and K zeros after, so the blur loop needs no bounds checks.
    std::vector<float> trow(static_cast<size_t>(TH + pad0 + K), 0.f);
    for (int64_t c = begin; c < end; ++c) {
      // Ring of the last K horizontally blurred rows of T, each OW wide.
      float* ring = ring_.data() + c * K * OW;
      const float* pe[2] = {plane(ee, c), plane(oe, c)};  // T[2n + parity, even columns]
      const float* po[2] = {plane(eo, c), plane(oo, c)};  // T[2n + parity, odd columns]
      for (int64_t p = from; p < t_end; ++p) {
        float* dst = ring + (((p % K) + K) % K) * OW;
        std::fill(dst, dst + OW, 0.f);
        if (p >= 0 && p < TH) {
          const int64_t parity = p & 1, n = (p >> 1) - a;
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
        }
        // Output row q needs T rows q - pad0 .. q - pad0 + K - 1: row p completes q.
        const int64_t q = p + pad0 - (K - 1);
        if (q < 0 || q >= OH) continue;
        float* row = o + (c * OH + q) * OW;
        const float* nrow = nz + q * OW;
        std::fill(row, row + OW, b[c]);
        for (int64_t u = 0; u < K; ++u) {
          const int64_t pu = q + u - pad0;
          const float* src = ring + (((pu % K) + K) % K) * OW;
          const float t = tf[u];
          for (int64_t x = 0; x < OW; ++x) row[x] += src[x] * t;
        }
        for (int64_t x = 0; x < OW; ++x) row[x] = lrelu(row[x] + nrow[x], s);
      }
    }
  });
  fed_ = t_end;
}

void PhaseBlurEpilogue::add_band(const torch::Tensor& ee, const torch::Tensor& eo, const torch::Tensor& oe,
                                 const torch::Tensor& oo, int64_t a) {
  // Phase rows from a: ee/eo [1, C, n or n + 1, W + 1 / W], oe/oo [1, C, n, W + 1 / W].
  const int64_t n = oo.size(2), ne = ee.size(2);
  TORCH_CHECK(cpu_float(ee) && cpu_float(eo) && cpu_float(oe) && cpu_float(oo),
              "PhaseBlurEpilogue: contiguous float32 CPU phases expected");
  TORCH_CHECK(oo.sizes().equals({1, C_, n, W_}) && ee.sizes().equals({1, C_, ne, W_ + 1}) &&
                  eo.sizes().equals({1, C_, ne, W_}) && oe.sizes().equals({1, C_, n, W_ + 1}) &&
                  a + n <= H_ && ne == (a + n == H_ ? n + 1 : n),
              "PhaseBlurEpilogue: phase band of the wrong shape");
  // The first band also feeds the zero rows above T (from -pad0).
  TORCH_CHECK(2 * a == std::max<int64_t>(fed_, 0), "PhaseBlurEpilogue: bands out of order");
  feed(&ee, &eo, &oe, &oo, a, 2 * a + n + ne);
}

torch::Tensor PhaseBlurEpilogue::finish() {
  TORCH_CHECK(fed_ >= 2 * H_ + 1, "PhaseBlurEpilogue: not every row of the transposed conv was added");
  // The zero rows below T complete the last output rows.
  feed(nullptr, nullptr, nullptr, nullptr, 0, 2 * H_ - pad0_ + K_ - 1);
  return out_;
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
