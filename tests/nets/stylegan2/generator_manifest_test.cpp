// The official 1024 config-f generator: the architecture inferred from the manifest's names and
// shapes must have exactly the checkpoint's parameters and buffers, and DeltaEdit's S split.
// Also a measurement (not a check) of a full-size render from S on the CPU, run by hand:
//   test_stylegan2 --gtest_also_run_disabled_tests --gtest_filter='*Render1024*'
#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/nets/common/weights.h"
#include "core/nets/stylegan2/generator.h"
#include "tests/nets/stylegan2/mini_json.h"
#include "tests/support/fixtures.h"

namespace deltaedit::nets {
namespace {

using testing::fixture;
using testing::Json;

TEST(GeneratorManifest, Official1024ArchitectureMatchesTheCheckpointLayout) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const Json manifest =
      Json::parse(testing::read_text(fixture("manifests/stylegan2_ffhq_config_f_1024.json")));
  const Json sspace = Json::parse(testing::read_text(fixture("manifests/sspace_1024.json")));

  // A state dict of uninitialised tensors with the manifest's names and shapes.
  const std::set<std::string> convertible{"float32", "float16", "bfloat16", "float64"};
  io::StateDict sd("stylegan2-ffhq-config-f.pt");
  std::map<std::string, std::vector<int64_t>> expected;
  for (const Json& e : manifest["g_ema"].items) {
    EXPECT_TRUE(convertible.count(e["dtype"].text)) << e["name"].text << ": " << e["dtype"].text;
    expected[e["name"].text] = e["shape"].as_ints();
    sd.add(e["name"].text, torch::empty(e["shape"].as_ints()));
  }
  ASSERT_EQ(static_cast<int64_t>(sd.size()), manifest["num_tensors"].as_int());

  const GeneratorConfig cfg = GeneratorImpl::infer_config(sd);
  EXPECT_EQ(cfg.size, 1024);  // Generator(1024, 512, 8) per the manifest's constructor line
  EXPECT_EQ(cfg.style_dim, 512);
  EXPECT_EQ(cfg.n_mlp, 8);
  Generator g(cfg);

  std::map<std::string, std::vector<int64_t>> ours;
  int64_t elements = 0;
  for (const auto& p : g->named_parameters()) {
    ours[p.key()] = p.value().sizes().vec();
    elements += p.value().numel();
  }
  for (const auto& b : g->named_buffers()) {
    EXPECT_FALSE(ours.count(b.key())) << b.key();
    ours[b.key()] = b.value().sizes().vec();
    elements += b.value().numel();
  }
  EXPECT_EQ(ours, expected);
  EXPECT_EQ(elements, manifest["num_elements"].as_int());
  EXPECT_EQ(manifest["top_level"]["latent_avg"]["shape"].as_ints(),
            std::vector<int64_t>{g->style_dim()});

  // Strict loading accepts the layout as it is.
  EXPECT_NO_THROW(load_weights(*g, sd));

  EXPECT_EQ(g->num_conv_layers(), sspace["num_conv_layers"].as_int());
  EXPECT_EQ(g->s_widths(), sspace["sspace_widths"].as_ints());
  EXPECT_EQ(g->s_dim(), sspace["sspace_dim"].as_int());
  EXPECT_EQ(g->torgb_widths(), sspace["torgb_widths"].as_ints());
  EXPECT_EQ(cfg.layer_resolutions(), sspace["layer_resolution"].as_ints());
  EXPECT_EQ(g->n_latent(), 18);  // sspace_1024.json's note: n_latent = 18
}

// Peak resident set size of this process so far (VmHWM), in MiB; -1 where unavailable.
double peak_rss_mib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return -1;
}

TEST(GeneratorTiming, DISABLED_Render1024FromSOnCpu) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  GeneratorConfig cfg;  // the official config-f: Generator(1024, 512, 8)
  cfg.size = 1024;
  cfg.style_dim = 512;
  cfg.n_mlp = 8;
  cfg.channels = {512, 512, 512, 512, 512, 256, 128, 64, 32};
  Generator g(cfg);
  for (auto& p : g->parameters()) p.requires_grad_(false);
  g->eval();
  const double rss_model = peak_rss_mib();

  const torch::Tensor wplus = g->broadcast_w(g->mapping(torch::randn({1, 512}))).contiguous();
  const torch::Tensor s = g->w_to_s(wplus);
  std::printf("threads: %d\n", torch::get_num_threads());
  for (int run = 0; run < 3; ++run) {
    const auto t0 = std::chrono::steady_clock::now();
    const torch::Tensor image = g->synthesize_s(s, wplus);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    std::printf(
        "render 1024 from S, B=1: %.0f ms, image %s, peak RSS %.0f MiB (after model "
        "construction %.0f MiB)\n",
        ms, std::to_string(image.size(-1)).c_str(), peak_rss_mib(), rss_model);
    ASSERT_EQ(image.size(-1), 1024);
    ASSERT_TRUE(torch::isfinite(image).all().item<bool>());
  }
  const auto t0 = std::chrono::steady_clock::now();
  const torch::Tensor preview = g->synthesize_s(s, wplus, 256);
  std::printf(
      "preview 256 from S: %.0f ms\n",
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  ASSERT_EQ(preview.size(-1), 256);
}

}  // namespace
}  // namespace deltaedit::nets
