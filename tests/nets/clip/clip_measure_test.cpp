// Measurements for the report, not assertions (disabled by default). Run each on its own so
// that peak-RSS numbers are not hidden by an earlier, larger peak:
//   test_clip --gtest_also_run_disabled_tests --gtest_filter='ClipMeasure.DISABLED_<name>'
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>

#include <sys/resource.h>

#include "core/nets/clip/clip_model.h"
#include "core/nets/clip/clip_resample.h"

namespace deltaedit::testing {
namespace {

double seconds_of(const std::function<void()>& fn, int repeats) {
  fn();  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i) fn();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count() / repeats;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss / 1024.0;
}

nets::ClipConfig vit_b32() {
  nets::ClipConfig c;
  c.embed_dim = 512;
  c.image_resolution = 224;
  c.vision_layers = 12;
  c.vision_width = 768;
  c.vision_patch_size = 32;
  c.vision_heads = 12;
  c.context_length = 77;
  c.vocab_size = 49408;
  c.transformer_width = 512;
  c.transformer_heads = 8;
  c.transformer_layers = 12;
  return c;
}

TEST(ClipMeasure, DISABLED_FullSizeViTB32OnCpu) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  nets::ClipModel clip(vit_b32());  // random weights
  clip->eval();
  auto image = torch::rand({1, 3, 224, 224}) * 2 - 1;
  const double t_image = seconds_of([&] { clip->encode_image(image); }, 3);

  // 158 prompts = 2 classes x 79 templates; EOT after 5..16 tokens as for short prompts.
  const int64_t n = 158;
  auto ids = torch::zeros({n, 77}, torch::kInt64);
  auto lengths = torch::randint(5, 17, {n}, torch::kInt64);
  for (int64_t i = 0; i < n; ++i) {
    const int64_t eot = lengths[i].item<int64_t>();
    ids[i][0] = 49406;
    ids[i].slice(0, 1, eot).copy_(torch::randint(1, 49406, {eot - 1}, torch::kInt64));
    ids[i][eot] = 49407;
  }
  const double t_full = seconds_of([&] { clip->encode_text(ids, false); }, 1);
  const double t_cut = seconds_of([&] { clip->encode_text(ids, true); }, 3);
  const double diff =
      (clip->encode_text(ids, true) - clip->encode_text(ids, false)).abs().max().item<double>();
  std::printf("ViT-B/32 CPU (%d threads): encode_image 1 image %.3f s; encode_text %ld prompts "
              "full 77 %.3f s, cut %.3f s (x%.1f), max |cut - full| %.2e; peak RSS %.0f MB\n",
              torch::get_num_threads(), t_image, static_cast<long>(n), t_full, t_cut,
              t_full / t_cut, diff, peak_rss_mb());
}

TEST(ClipMeasure, DISABLED_Resample1024Memory) {
  torch::NoGradGuard no_grad;
  auto image = torch::rand({1, 3, 1024, 1024}) * 2 - 1;
  const int64_t k = nets::deltaedit_resample_kernel(1024);
  const double before = peak_rss_mb();
  torch::Tensor ours;
  const double t_ours = seconds_of([&] { ours = nets::deltaedit_resample(image, k); }, 3);
  const double after_ours = peak_rss_mb();
  torch::Tensor naive;
  const double t_naive = seconds_of(
      [&] { naive = torch::avg_pool2d(torch::upsample_nearest2d(image, {7168, 7168}), k); }, 1);
  const double after_naive = peak_rss_mb();
  std::printf("resample 1024 -> 224: ours %.4f s, peak RSS +%.1f MB; naive x7 upsample + pool "
              "%.3f s, peak RSS +%.1f MB; max |ours - naive| %.2e\n",
              t_ours, after_ours - before, t_naive, after_naive - after_ours,
              (ours - naive).abs().max().item<double>());
}

}  // namespace
}  // namespace deltaedit::testing
