// The interactive-speed cases at the official sizes. Every case that has a faster product path
// also times the reference operation sequence in the same run (name/baseline vs name/fast); the
// summary (summary_reporter.cpp) turns the pairs into ratios.
#include <chrono>
#include <cmath>
#include <memory>

#include <benchmark/benchmark.h>

#include "bench/memory_probe.h"
#include "bench/official_models.h"
#include "bench/reference_ops.h"
#include "core/engine/strength_preview_cache.h"
#include "core/nets/clip/clip_resample.h"
#include "core/nets/e4e/e4e_input.h"
#include "core/text/text_direction.h"

namespace deltaedit::bench {
namespace {

using Clock = std::chrono::steady_clock;
using nets::RenderPath;

// A fixed S and W+ for the renders: W+ of 18 mapped codes, S from it.
struct Codes {
  torch::Tensor wplus, s, delta_s;
};
const Codes& codes() {
  static Codes c = [] {
    torch::NoGradGuard no_grad;
    torch::manual_seed(7);
    auto& g = official_generator();
    Codes out;
    out.wplus = g->broadcast_w(g->mapping(torch::randn({1, 512}))).contiguous();
    out.s = g->w_to_s(out.wplus);
    out.delta_s = torch::randn_like(out.s) * 0.1;
    return out;
  }();
  return c;
}

// Runs `fn` once untimed, then per iteration under manual time.
template <class Fn>
void timed(benchmark::State& state, Fn&& fn) {
  torch::NoGradGuard no_grad;
  fn();
  for (auto _ : state) {
    const auto t0 = Clock::now();
    fn();
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - t0).count());
  }
}

void render(benchmark::State& state, RenderPath path, int64_t resolution) {
  auto& g = official_generator();
  g->set_render_path(path);
  timed(state, [&] { benchmark::DoNotOptimize(g->synthesize_s(codes().s, codes().wplus, resolution)); });
  g->set_render_path(RenderPath::kFast);
  const double flops = synthesis_flops(g->config(), resolution);
  state.counters["GFLOP"] = flops / 1e9;
  state.counters["GFLOP/s"] = benchmark::Counter(flops, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_render_1024_baseline(benchmark::State& s) { render(s, RenderPath::kReference, 0); }
void BM_render_1024_fast(benchmark::State& s) { render(s, RenderPath::kFast, 0); }
void BM_preview_512_fast(benchmark::State& s) { render(s, RenderPath::kFast, 512); }
void BM_preview_256_fast(benchmark::State& s) { render(s, RenderPath::kFast, 256); }

torch::Tensor to_rgb8(const torch::Tensor& img) {
  return ((img.clamp(-1, 1) + 1) * 127.5).round().to(torch::kUInt8);
}

// A slider move when no preview near the strength is cached yet: S + alpha * delta_s (cached),
// an exact 256 preview, 8-bit.
void BM_slider_to_preview_exact(benchmark::State& state) {
  auto& g = official_generator();
  double alpha = 0.5;
  timed(state, [&] {
    alpha += 0.01;
    const torch::Tensor s = codes().s + alpha * codes().delta_s;
    const torch::Tensor img = g->synthesize_s(s, codes().wplus, 256);
    benchmark::DoNotOptimize(to_rgb8(img));
  });
}

// The usual slider move: the studio has rendered exact previews at the grid strengths around
// the slider in idle time, so the move is an interpolation (engine::StrengthPreviewCache).
void BM_slider_to_preview_interpolated(benchmark::State& state) {
  auto& g = official_generator();
  torch::NoGradGuard no_grad;
  engine::StrengthPreviewCache cache(0.25);
  cache.use_line("bench");
  auto exact = [&](double a) { return g->synthesize_s(codes().s + a * codes().delta_s, codes().wplus, 256); };
  for (double a : {0.25, 0.5, 0.75, 1.0}) cache.add(a, exact(a));
  double alpha = 0.55;
  for (auto _ : state) {
    alpha = alpha > 0.7 ? 0.55 : alpha + 0.01;
    const auto t0 = Clock::now();
    benchmark::DoNotOptimize(to_rgb8(*cache.interpolate(alpha)));
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - t0).count());
  }
  const torch::Tensor reference = exact(0.6), approx = *cache.interpolate(0.6);
  const double mse = (approx - reference).pow(2).mean().item<double>();
  state.counters["psnr_dB_vs_exact"] = 10 * std::log10(4.0 / mse);
}

void BM_e4e_256(benchmark::State& state) {
  const torch::Tensor x = torch::rand({1, 3, 256, 256}) * 2 - 1;
  timed(state, [&] { benchmark::DoNotOptimize(nets::invert_to_wplus(official_e4e(), x)); });
}

void BM_clip_image(benchmark::State& state) {
  const torch::Tensor x = torch::rand({1, 3, 224, 224}) * 2 - 1;
  timed(state, [&] { benchmark::DoNotOptimize(official_clip()->encode_image(x)); });
}

void BM_mapper(benchmark::State& state) {
  const torch::Tensor c = torch::randn({1, 1024});
  timed(state, [&] { benchmark::DoNotOptimize(official_mapper()->forward(codes().s, c)); });
}

// CLIP input of a 1024 render: the x7 image then pooling, against the exact separable map.
const torch::Tensor& image_1024() {
  static torch::Tensor img = torch::rand({1, 3, 1024, 1024}) * 2 - 1;
  return img;
}
void resample(benchmark::State& state, bool fast) {
  const int64_t kernel = nets::deltaedit_resample_kernel(1024);
  auto run = [&] {
    return fast ? nets::deltaedit_resample(image_1024(), kernel)
                : reference_resample(image_1024(), kernel);
  };
  timed(state, [&] { benchmark::DoNotOptimize(run()); });
  torch::Tensor out;
  const int64_t extra = extra_peak_bytes([&] { out = run(); });
  state.counters["extra_MB"] = double(extra) / 1e6;
  // Error against a float64 evaluation of the same x7 + pooling (the reference's own float32
  // pooling is itself ~1e-6 from the exact mean).
  const torch::Tensor exact = reference_resample(image_1024().to(torch::kFloat64), kernel);
  state.counters["max_err"] = (out.to(torch::kFloat64) - exact).abs().max().item<double>();
}
void BM_clip_resample_1024_baseline(benchmark::State& s) { resample(s, false); }
void BM_clip_resample_1024_fast(benchmark::State& s) { resample(s, true); }

// A new target prompt against the neutral "face". The fast path is the product's
// TextDirectionEncoder: "face" is cached from earlier prompts, templates batched, cut after EOT.
std::shared_ptr<const text::ClipTokenizer> tokenizer() {
  static auto tok = [] {
    const auto vocab = fixtures_dir() / "clip" / "bpe_simple_vocab_16e6.txt.gz";
    return std::filesystem::exists(vocab)
               ? std::make_shared<const text::ClipTokenizer>(text::ClipTokenizer::from_file(vocab))
               : nullptr;
  }();
  return tok;
}
void text_direction(benchmark::State& state, bool fast) {
  if (!tokenizer()) {
    state.SkipWithError("CLIP vocabulary not found (set DELTAEDIT_FIXTURES)");
    return;
  }
  text::TextDirectionEncoder encoder(official_clip(), tokenizer());
  int n = 0;
  if (fast) encoder.direction("face with glasses", "face");  // an earlier prompt: "face" cached
  torch::NoGradGuard no_grad;
  for (auto _ : state) {
    const std::string target = "face with a smile " + std::to_string(n++);  // always new
    const auto t0 = Clock::now();
    if (fast)
      benchmark::DoNotOptimize(encoder.direction(target, "face").raw);
    else
      benchmark::DoNotOptimize(reference_text_delta(official_clip(), *tokenizer(), target, "face"));
    state.SetIterationTime(std::chrono::duration<double>(Clock::now() - t0).count());
  }
}
void BM_text_direction_baseline(benchmark::State& s) { text_direction(s, false); }
void BM_text_direction_fast(benchmark::State& s) { text_direction(s, true); }

#define DELTAEDIT_CASE(fn, iters) \
  BENCHMARK(fn)->UseManualTime()->Iterations(iters)->Unit(benchmark::kMillisecond)

DELTAEDIT_CASE(BM_render_1024_baseline, 2);
DELTAEDIT_CASE(BM_render_1024_fast, 3);
DELTAEDIT_CASE(BM_preview_512_fast, 3);
DELTAEDIT_CASE(BM_preview_256_fast, 5);
DELTAEDIT_CASE(BM_slider_to_preview_exact, 3);
DELTAEDIT_CASE(BM_slider_to_preview_interpolated, 50);
DELTAEDIT_CASE(BM_e4e_256, 3);
DELTAEDIT_CASE(BM_clip_image, 3);
DELTAEDIT_CASE(BM_mapper, 5);
DELTAEDIT_CASE(BM_clip_resample_1024_baseline, 2);
DELTAEDIT_CASE(BM_clip_resample_1024_fast, 5);
DELTAEDIT_CASE(BM_text_direction_baseline, 1);
DELTAEDIT_CASE(BM_text_direction_fast, 3);

}  // namespace
}  // namespace deltaedit::bench
