// The generator against the reference outputs of rosinality's Generator and DeltaEdit's
// stylespace_util on the small random model in fixtures/stylegan2/, for every render path: the
// reference operation sequence, and the fast path with both of its upsampling methods (phase
// convs, or a transposed conv + depthwise blur as used off the CPU).
#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/io/checkpoint_reader.h"
#include "core/nets/stylegan2/generator.h"
#include "tests/nets/stylegan2/mini_json.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::nets {
namespace {

using testing::fixture;
using testing::fixture_npy;

constexpr double kSingle = 1e-4;  // README: single float32 network

struct PathCase {
  const char* name;
  RenderPath path;
  int64_t phases_from_resolution;
  int64_t direct_max_channels = 0;  // 0: LibTorch convs only
  int64_t phase_band_rows = 32;
};

class GeneratorFixture : public ::testing::TestWithParam<PathCase> {
 protected:
  static void SetUpTestSuite() {
    if (testing::fixtures_root().empty()) return;
    loaded_ = new LoadedGenerator(load_generator(fixture("stylegan2/generator.pt"), {}));
  }
  static void TearDownTestSuite() {
    delete loaded_;
    loaded_ = nullptr;
  }
  void SetUp() override {
    DELTAEDIT_REQUIRE_FIXTURES();
    g()->set_render_path(GetParam().path);
    g()->set_fast_options({.phases_from_resolution = GetParam().phases_from_resolution,
                           .direct_conv_max_channels = GetParam().direct_max_channels,
                           .direct_phases_max_channels = GetParam().direct_max_channels,
                           .phase_band_rows = GetParam().phase_band_rows});
  }

  Generator& g() { return loaded_->net; }
  const torch::Tensor& latent_avg() { return loaded_->latent_avg; }

  torch::NoGradGuard no_grad_;
  static LoadedGenerator* loaded_;
};
LoadedGenerator* GeneratorFixture::loaded_ = nullptr;

TEST_P(GeneratorFixture, MapsZToW) {
  EXPECT_CLOSE_TO_REF(g()->mapping(fixture_npy("stylegan2/z.npy")), fixture_npy("stylegan2/w.npy"),
                      kSingle);
}

TEST_P(GeneratorFixture, TruncatesTowardLatentAvg) {
  const torch::Tensor w = fixture_npy("stylegan2/w.npy");
  EXPECT_CLOSE_TO_REF(truncate(w, latent_avg(), 0.7), fixture_npy("stylegan2/w_trunc.npy"),
                      kSingle);
  // psi = 1 is the identity, psi = 0 the average.
  EXPECT_CLOSE_TO_REF(truncate(w, latent_avg(), 1.0), w, 1e-6);
  EXPECT_CLOSE_TO_REF(truncate(w, latent_avg(), 0.0), latent_avg().expand_as(w), 1e-7);
}

TEST_P(GeneratorFixture, RendersTruncatedZ) {
  const torch::Tensor w = truncate(g()->mapping(fixture_npy("stylegan2/z.npy")), latent_avg(), 0.7);
  EXPECT_CLOSE_TO_REF(g()->forward_w(g()->broadcast_w(w)),
                      fixture_npy("stylegan2/image_z_trunc.npy"), kSingle);
}

TEST_P(GeneratorFixture, RendersWPlus) {
  EXPECT_CLOSE_TO_REF(g()->forward_w(fixture_npy("stylegan2/wplus.npy")),
                      fixture_npy("stylegan2/image_w.npy"), kSingle);
}

TEST_P(GeneratorFixture, MapsWPlusToS) {
  EXPECT_CLOSE_TO_REF(g()->w_to_s(fixture_npy("stylegan2/wplus.npy")),
                      fixture_npy("stylegan2/sspace.npy"), kSingle);
}

TEST_P(GeneratorFixture, RendersFromS) {
  EXPECT_CLOSE_TO_REF(
      g()->synthesize_s(fixture_npy("stylegan2/sspace.npy"), fixture_npy("stylegan2/wplus.npy")),
      fixture_npy("stylegan2/image_s.npy"), kSingle);
}

TEST_P(GeneratorFixture, RendersEditedS) {
  const torch::Tensor s =
      fixture_npy("stylegan2/sspace.npy") + fixture_npy("stylegan2/delta_s.npy");
  EXPECT_CLOSE_TO_REF(g()->synthesize_s(s, fixture_npy("stylegan2/wplus.npy")),
                      fixture_npy("stylegan2/image_s_edit.npy"), kSingle);
}

TEST_P(GeneratorFixture, RecordsEverySkipImage) {
  std::vector<torch::Tensor> skips;
  const torch::Tensor wplus = fixture_npy("stylegan2/wplus.npy");
  const torch::Tensor image = g()->synthesize_s(g()->w_to_s(wplus), wplus, 0, &skips);
  ASSERT_EQ(static_cast<int64_t>(skips.size()), g()->config().log_size() - 1);
  for (size_t i = 0; i < skips.size(); ++i) {
    char name[64];
    std::snprintf(name, sizeof name, "stylegan2/rgb_skips/skip_%04d.npy", 4 << i);
    SCOPED_TRACE(name);
    EXPECT_CLOSE_TO_REF(skips[i], fixture_npy(name), kSingle);
  }
  EXPECT_TRUE(torch::equal(skips.back(), image));
}

TEST_P(GeneratorFixture, PreviewStopsAtTheRequestedResolution) {
  const torch::Tensor wplus = fixture_npy("stylegan2/wplus.npy");
  const torch::Tensor s = fixture_npy("stylegan2/sspace.npy");
  EXPECT_CLOSE_TO_REF(g()->synthesize_s(s, wplus, 16),
                      fixture_npy("stylegan2/rgb_skips/skip_0016.npy"), kSingle);
  // Between two resolutions the next larger one is rendered.
  EXPECT_EQ(g()->synthesize_s(s, wplus, 20).size(-1), 32);
  EXPECT_CLOSE_TO_REF(g()->synthesize_s(s, wplus, 4),
                      fixture_npy("stylegan2/rgb_skips/skip_0004.npy"), kSingle);
}

TEST_P(GeneratorFixture, EachSampleRendersAsInABatch) {
  const torch::Tensor wplus = fixture_npy("stylegan2/wplus.npy");
  const torch::Tensor s = fixture_npy("stylegan2/sspace.npy");
  const torch::Tensor ref = fixture_npy("stylegan2/image_s.npy");
  for (int64_t b = 0; b < wplus.size(0); ++b)
    EXPECT_CLOSE_TO_REF(g()->synthesize_s(s.narrow(0, b, 1), wplus.narrow(0, b, 1)),
                        ref.narrow(0, b, 1), kSingle);
}

TEST_P(GeneratorFixture, RejectsMisshapenInputs) {
  const torch::Tensor wplus = fixture_npy("stylegan2/wplus.npy");
  const torch::Tensor s = fixture_npy("stylegan2/sspace.npy");
  EXPECT_THROW(g()->forward_w(wplus.narrow(1, 0, 9)), std::invalid_argument);
  EXPECT_THROW(g()->synthesize_s(s.narrow(1, 0, 100), wplus), std::invalid_argument);
  EXPECT_THROW(g()->synthesize_s(s.narrow(0, 0, 1), wplus), std::invalid_argument);
  EXPECT_THROW(g()->mapping(s), std::invalid_argument);
}

TEST_P(GeneratorFixture, InfersTheConfigOfConfigJson) {
  const auto cfg_json = testing::Json::parse(testing::read_text(fixture("stylegan2/config.json")));
  const GeneratorConfig& cfg = g()->config();
  EXPECT_EQ(g()->size(), cfg_json["size"].as_int());
  EXPECT_EQ(g()->style_dim(), cfg_json["style_dim"].as_int());
  EXPECT_EQ(cfg.n_mlp, cfg_json["n_mlp"].as_int());
  EXPECT_DOUBLE_EQ(cfg.lr_mlp, cfg_json["lr_mlp"].number);
  for (const auto& [res, width] : cfg_json["channels"].members)
    EXPECT_EQ(cfg.channels_at(std::stoll(res)), width.as_int()) << "resolution " << res;
  EXPECT_EQ(static_cast<int64_t>(cfg.channels.size()),
            static_cast<int64_t>(cfg_json["channels"].members.size()));
  EXPECT_EQ(cfg.log_size(), cfg_json["log_size"].as_int());
  EXPECT_EQ(g()->num_conv_layers(), cfg_json["num_conv_layers"].as_int());
  EXPECT_EQ(g()->n_latent(), cfg_json["n_latent"].as_int());
  EXPECT_EQ(g()->s_widths(), cfg_json["sspace_widths"].as_ints());
  EXPECT_EQ(g()->s_dim(), cfg_json["sspace_dim"].as_int());
  EXPECT_EQ(cfg.layer_resolutions(), cfg_json["sspace_layer_resolution"].as_ints());
  EXPECT_EQ(g()->torgb_widths(), cfg_json["torgb_widths"].as_ints());
  std::vector<int64_t> blur;
  for (double t : cfg.blur_kernel) blur.push_back(static_cast<int64_t>(t));
  EXPECT_EQ(blur, cfg_json["blur_kernel"].as_ints());
  const auto buffers = g()->noises->named_buffers();
  const auto& noise_shapes = cfg_json["noise_shapes"].items;
  ASSERT_EQ(buffers.size(), noise_shapes.size());
  for (size_t i = 0; i < noise_shapes.size(); ++i)
    EXPECT_EQ(g()->noises->noise(i).sizes().vec(), noise_shapes[i].as_ints()) << "noise " << i;
}

TEST_P(GeneratorFixture, LegacyFileGivesIdenticalWeights) {
  const io::StateDict zip = io::load_state_dict(fixture("stylegan2/generator.pt"), "g_ema");
  const io::StateDict legacy =
      io::load_state_dict(fixture("stylegan2/generator_legacy.pt"), "g_ema");
  ASSERT_EQ(zip.size(), legacy.size());
  for (const auto& [name, t] : zip.entries()) {
    ASSERT_TRUE(legacy.contains(name)) << name;
    EXPECT_TRUE(torch::equal(t, legacy.at(name))) << name;
  }
  const LoadedGenerator other = load_generator(fixture("stylegan2/generator_legacy.pt"), {});
  EXPECT_TRUE(torch::equal(other.latent_avg, latent_avg()));
  const auto mine = g()->named_parameters();
  for (const auto& p : other.net->named_parameters())
    EXPECT_TRUE(torch::equal(p.value(), mine[p.key()])) << p.key();
  const auto my_buffers = g()->named_buffers();
  for (const auto& b : other.net->named_buffers())
    EXPECT_TRUE(torch::equal(b.value(), my_buffers[b.key()])) << b.key();
}

TEST_P(GeneratorFixture, LoadedWeightsAreFrozenAndCarryTheCheckpointValues) {
  const io::StateDict sd = io::load_state_dict(fixture("stylegan2/generator.pt"), "g_ema");
  const auto params = g()->named_parameters();
  const auto buffers = g()->named_buffers();
  EXPECT_EQ(params.size() + buffers.size(), sd.size());
  for (const auto& [name, t] : sd.entries()) {
    const torch::Tensor* mine = params.find(name);
    if (!mine) mine = buffers.find(name);
    ASSERT_NE(mine, nullptr) << name;
    EXPECT_TRUE(torch::equal(*mine, t)) << name;
  }
  for (const auto& p : params) EXPECT_FALSE(p.value().requires_grad()) << p.key();
}

TEST_P(GeneratorFixture, FastAndReferencePathsAgree) {
  const torch::Tensor wplus = fixture_npy("stylegan2/wplus.npy");
  const torch::Tensor s = fixture_npy("stylegan2/sspace.npy") + fixture_npy("stylegan2/delta_s.npy");
  const torch::Tensor ours = g()->synthesize_s(s, wplus);
  EXPECT_EQ(g()->render_path(), GetParam().path) << "the fast path fell back to the reference";
  g()->set_render_path(RenderPath::kReference);
  const torch::Tensor reference = g()->synthesize_s(s, wplus);
  EXPECT_CLOSE_TO_REF(ours, reference, 1e-5);
}

// The editor compares renders of the same code (an edit at strength 0 against the
// reconstruction): every path must give the same bits every time.
TEST_P(GeneratorFixture, RendersTheSameBitsEveryTime) {
  const torch::Tensor wplus = fixture_npy("stylegan2/wplus.npy").narrow(0, 0, 1);
  const torch::Tensor s = fixture_npy("stylegan2/sspace.npy").narrow(0, 0, 1);
  const torch::Tensor first = g()->synthesize_s(s, wplus);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(torch::equal(g()->synthesize_s(s.clone(), wplus), first)) << i;
}

TEST_P(GeneratorFixture, GradModeUsesTheDifferentiablePath) {
  torch::AutoGradMode grad(true);
  const torch::Tensor wplus = fixture_npy("stylegan2/wplus.npy").narrow(0, 0, 1);
  const torch::Tensor s = g()->w_to_s(wplus).detach().requires_grad_(true);
  const torch::Tensor image = g()->synthesize_s(s, wplus);
  image.sum().backward();
  ASSERT_TRUE(s.grad().defined());
  EXPECT_GT(s.grad().abs().sum().item<double>(), 0.0);
}

// A batch in grad mode takes the unfused modulated convolution (shared weight, input scaled by
// the style, output by the demodulation): it must match the reference's outputs and give the
// same gradients as the grouped convolution of a batch of one.
TEST_P(GeneratorFixture, GradModeBatchMatchesTheReference) {
  if (GetParam().path != RenderPath::kReference) GTEST_SKIP() << "one path is enough";
  torch::AutoGradMode grad(true);
  const torch::Tensor wplus = fixture_npy("stylegan2/wplus.npy");
  ASSERT_GT(wplus.size(0), 1);
  const torch::Tensor s = (fixture_npy("stylegan2/sspace.npy") + fixture_npy("stylegan2/delta_s.npy"))
                              .requires_grad_(true);
  const torch::Tensor image = g()->synthesize_s(s, wplus);
  EXPECT_CLOSE_TO_REF(image.detach(), fixture_npy("stylegan2/image_s_edit.npy"), 1e-4);
  image.square().sum().backward();
  for (int64_t b = 0; b < wplus.size(0); ++b) {
    const torch::Tensor s1 = s.detach().narrow(0, b, 1).clone().requires_grad_(true);
    g()->synthesize_s(s1, wplus.narrow(0, b, 1)).square().sum().backward();
    // Gradients of a summed square chain every layer: the chained tolerance.
    EXPECT_CLOSE_TO_REF(s.grad().narrow(0, b, 1), s1.grad(), 1e-3);
  }
}

INSTANTIATE_TEST_SUITE_P(
    Paths, GeneratorFixture,
    ::testing::Values(PathCase{"reference", RenderPath::kReference, 256},
                      PathCase{"fast_transposed", RenderPath::kFast, 1 << 30},
                      PathCase{"fast_phases", RenderPath::kFast, 8},
                      // every layer of the small fixture model through the AVX2 direct conv
                      // (LibTorch's where the CPU lacks AVX2)
                      PathCase{"fast_direct", RenderPath::kFast, 8, 1 << 30},
                      // the upsampling phases made and blurred 3 input rows at a time (ragged
                      // last bands at every resolution above 4)
                      PathCase{"fast_direct_banded", RenderPath::kFast, 8, 1 << 30, 3}),
    [](const ::testing::TestParamInfo<PathCase>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace deltaedit::nets
