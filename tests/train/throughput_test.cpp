// Measurements for docs/training.md (disabled: timings are reported, never asserted). Run with
//   test_train --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'
#include <gtest/gtest.h>

#include <chrono>

#include "core/train/code_generator.h"
#include "core/train/mapper_trainer.h"
#include "core/train/relevance_matrix.h"
#include "tests/support/fixtures.h"
#include "tests/train/train_fixture.h"

namespace {

using namespace deltaedit;
namespace dtest = deltaedit::testing;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Training steps/s of a mapper for these S widths and CLIP width, on random codes.
void measure_training(const std::string& label, const std::vector<int64_t>& widths, int64_t embed,
                      int64_t batch, int64_t steps) {
  int64_t S = 0;
  for (auto w : widths) S += w;
  train::TrainingData data;
  data.s = torch::randn({512, S});
  data.c_unit = train::unit_rows(torch::randn({512, embed}));
  data.s_widths = widths;
  data.fingerprint = "random";
  train::TrainOptions o;
  o.iterations = steps;
  o.batch_size = batch;
  o.val_every = 0;
  o.save_every = 0;
  const auto dir = dtest::temp_dir("throughput");
  train::MapperTrainer trainer(data, o, dir / "run");
  double rate = 0;
  const auto t0 = Clock::now();
  trainer.train([&](const train::TrainEvent& ev) { rate = ev.steps_per_second; });
  const double total = seconds_since(t0);
  int64_t params = 0;
  for (const auto& p : trainer.mapper()->parameters()) params += p.numel();
  std::cout << "[ throughput ] " << label << ": S " << S << ", condition " << 2 * embed << ", "
            << params << " parameters, batch " << batch << ": " << rate << " steps/s (" << steps
            << " steps + final validation/save in " << total << " s, " << torch::get_num_threads()
            << " threads)\n";
}

TEST(Throughput, DISABLED_TrainingStepsPerSecond) {
  measure_training("fixture-size mapper", {64, 64, 64, 64, 64, 64, 64, 64, 32}, 64, 64, 200);
  std::vector<int64_t> ffhq(10, 512);
  for (int64_t w : {256, 256, 128, 128, 64, 64, 32}) ffhq.push_back(w);
  measure_training("full-size mapper (FFHQ 1024, ViT-B/32)", ffhq, 512, 8, 10);
}

TEST(Throughput, DISABLED_CodesAndRelevanceOnFixtureModels) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto& gen = dtest::fixture_generator();
  auto& clip = dtest::fixture_clip();
  const int default_threads = torch::get_num_threads();
  for (int threads : {default_threads, 1, 2}) {
    torch::set_num_threads(threads);
    for (int64_t batch : {1, 8, 32}) {
      const auto z = train::shard_z(0, 0, 64, gen.net->style_dim());
      const auto t0 = Clock::now();
      for (int64_t b = 0; b < 64; b += batch)
        train::codes_from_z(gen, clip, z.narrow(0, b, batch), 1.0);
      std::cout << "[ throughput ] codes (render + CLIP), " << threads << " threads, batch "
                << batch << ": " << 64 / seconds_since(t0) << " codes/s\n";
    }
  }
  torch::set_num_threads(default_threads);
  const auto t1 = Clock::now();
  const auto in = train::sample_relevance_inputs(gen, 1000, 10, 0, 0.7);
  std::cout << "[ throughput ] relevance statistics: " << 1000 / seconds_since(t1) << " codes/s\n";
  for (int64_t batch : {8, 32}) {
    const auto t2 = Clock::now();
    train::relevance_rows(gen, clip, in, 0, 16, {5.0, batch});
    const double s = seconds_since(t2);
    std::cout << "[ throughput ] relevance, 10 images, batch " << batch << ": " << 16 / s
              << " channels/s (" << 16 * 10 * 2 / s << " renders/s)\n";
  }
}

}  // namespace
