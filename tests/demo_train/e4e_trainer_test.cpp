// The demo bundle's small e4e: its geometry survives the product's inference from weights,
// training on a small random generator lowers the objective, the saved checkpoint loads through
// nets::load_e4e with the same W+, a resumed run continues exactly, and the e4e input transform
// at the encoder's own size keeps PIL's resize contract.
#include <cmath>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/demo_train/e4e_trainer.h"
#include "core/demo_train/latent_portraits.h"
#include "core/nets/e4e/e4e_input.h"
#include "tests/demo_train/random_generator.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::demo_train {
namespace {

namespace fs = std::filesystem;

io::StateDict module_state(torch::nn::Module& m) {
  io::StateDict sd;
  for (const auto& p : m.named_parameters()) sd.add(p.key(), p.value());
  for (const auto& b : m.named_buffers()) sd.add(b.key(), b.value());
  return sd;
}

// A small random StyleGAN2 (32 px, 8 W+ slots of 16), frozen, with latent_avg from 512 w's.
nets::LoadedGenerator small_generator() {
  nets::GeneratorConfig cfg;
  cfg.size = 32;
  cfg.style_dim = 16;
  cfg.n_mlp = 2;
  cfg.channels = {16, 16, 16, 8};
  return random_generator(cfg, 3, 512);
}

nets::E4eConfig small_config() { return small_e4e_config(32, 8, 16, {8, 12, 16, 24}); }

E4eTrainOptions quick_options(int64_t steps) {
  E4eTrainOptions o;
  o.steps = steps;
  o.batch = 8;
  o.learning_rate = 5e-3;
  o.seed = 7;
  o.save_every = 0;
  return o;
}

// The training objective without the regulariser on fixed samples: W+ error + pixel error.
struct Errors {
  double w = 0, pixel = 0;
};
// 32 fixed samples: their W+ [32, L, D], images and the trainer's encoding of them [32, L, D].
struct FixedEncoding {
  torch::Tensor w, images, wplus;
};
FixedEncoding encode_fixed_samples(nets::LoadedGenerator& g, E4eTrainer& t) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(99);
  FixedEncoding f;
  f.w = g.net->broadcast_w(g.net->mapping(torch::randn({32, g.net->style_dim()})));
  f.images = g.net->forward_w(f.w);
  auto enc = t.encoder();
  f.wplus = encode_wplus(*enc, t.latent_avg(), f.images);
  return f;
}

Errors fixed_sample_errors(nets::LoadedGenerator& g, E4eTrainer& t) {
  torch::NoGradGuard no_grad;
  const auto f = encode_fixed_samples(g, t);
  return {(f.wplus - f.w).pow(2).mean().item<double>(),
          (g.net->forward_w(f.wplus) - f.images).pow(2).mean().item<double>()};
}

TEST(DemoE4eConfig, RoundTripsThroughTheProductsInference) {
  const auto cfg = small_e4e_config(64, 10, 128);
  nets::Encoder4Editing net(cfg);
  const auto inferred = nets::infer_e4e_config(module_state(*net));
  EXPECT_EQ(inferred.input_size(), 64);
  EXPECT_EQ(inferred.style_count(), 10);
  EXPECT_EQ(inferred.style_dim(), 128);
  EXPECT_EQ(inferred.coarse_ind, 3);
  EXPECT_EQ(inferred.middle_ind, 7);
  EXPECT_EQ(inferred.stem_width, cfg.stem_width);
  EXPECT_EQ(inferred.fpn_width, cfg.fpn_width);
  EXPECT_EQ(inferred.stage_last_unit, cfg.stage_last_unit);
  ASSERT_EQ(inferred.units.size(), cfg.units.size());
  for (size_t i = 0; i < cfg.units.size(); ++i) {
    EXPECT_EQ(inferred.units[i].depth, cfg.units[i].depth);
    EXPECT_EQ(inferred.units[i].stride, cfg.units[i].stride);
    EXPECT_EQ(inferred.units[i].conv_shortcut, cfg.units[i].conv_shortcut);
    EXPECT_EQ(inferred.units[i].se_channels, cfg.units[i].se_channels);
  }
  for (size_t i = 0; i < cfg.styles.size(); ++i)
    EXPECT_EQ(inferred.styles[i].num_convs, cfg.styles[i].num_convs) << "style " << i;
  net->eval();
  torch::NoGradGuard no_grad;
  EXPECT_EQ(net->forward(torch::zeros({2, 3, 64, 64})).sizes(),
            (std::vector<int64_t>{2, 10, 128}));
  EXPECT_THROW(net->forward(torch::zeros({1, 3, 256, 256})), std::invalid_argument);
  EXPECT_THROW(small_e4e_config(48, 10, 128), std::invalid_argument);
}

TEST(DemoE4eTrainer, ShortTrainingLowersTheError) {
  auto g = small_generator();
  E4eTrainer t(g, small_config(), quick_options(60));
  const Errors before = fixed_sample_errors(g, t);
  double first_loss = 0, last_loss = 0;
  t.train([&](const E4eTrainEvent& ev) {
    if (ev.step <= 5) first_loss += ev.losses.total / 5;
    if (ev.step > ev.steps - 5) last_loss += ev.losses.total / 5;
  });
  const Errors after = fixed_sample_errors(g, t);
  EXPECT_EQ(t.step(), 60);
  const double b = before.w + before.pixel, a = after.w + after.pixel;
  EXPECT_LT(a, 0.6 * b) << "W+ error " << before.w << " -> " << after.w << ", pixel error "
                        << before.pixel << " -> " << after.pixel;
  EXPECT_LT(after.pixel, 0.6 * before.pixel);
  EXPECT_LT(after.w, before.w);
  EXPECT_LT(last_loss, 0.6 * first_loss) << first_loss << " -> " << last_loss;
}

TEST(DemoE4eTrainer, SavedFileLoadsThroughLoadE4eWithTheSameWplus) {
  auto g = small_generator();
  E4eTrainer t(g, small_config(), quick_options(3));
  t.train();
  const fs::path dir = testing::temp_dir("demo_e4e_save");
  torch::manual_seed(5);
  const auto x = torch::rand({3, 3, 32, 32}) * 2 - 1;
  for (bool half : {false, true}) {
    const fs::path file = dir / (half ? "e4e_half.pt" : "e4e.pt");
    t.save_e4e(file, half);
    auto loaded = nets::load_e4e(file, nets::choose_device("cpu"));
    EXPECT_EQ(loaded.net->config().input_size(), 32);
    auto enc = t.encoder();
    const auto ours = encode_wplus(*enc, t.latent_avg(), x);
    const auto theirs = nets::invert_to_wplus(loaded, x);
    ASSERT_EQ(theirs.sizes(), ours.sizes());
    EXPECT_TRUE(torch::equal(theirs, ours)) << "max diff " << testing::max_abs_diff(theirs, ours);
    // The e4e layout: every key under "encoder.", in PyTorch's order (parameters, buffers).
    const auto sd = t.checkpoint_state_dict();
    EXPECT_EQ(sd.entries().front().first, "encoder.input_layer.0.weight");
    EXPECT_TRUE(sd.contains("encoder.input_layer.1.num_batches_tracked"));
  }
}

// --init: a new run starts from a saved encoder (its W+ exactly), and refuses one made for
// another generator.
TEST(DemoE4eTrainer, InitStartsFromASavedEncoder) {
  auto g = small_generator();
  E4eTrainer first(g, small_config(), quick_options(3));
  first.train();
  const fs::path file = testing::temp_dir("demo_e4e_init") / "e4e.pt";
  first.save_e4e(file);
  auto options = quick_options(0);
  options.init = file;
  E4eTrainer tuned(g, small_config(), options);
  torch::manual_seed(8);
  const auto x = torch::rand({2, 3, 32, 32}) * 2 - 1;
  auto a = first.encoder(), b = tuned.encoder();
  a->eval();
  b->eval();
  EXPECT_TRUE(torch::equal(encode_wplus(*a, first.latent_avg(), x), encode_wplus(*b, tuned.latent_avg(), x)));
  E4eTrainer fresh(g, small_config(), quick_options(0));
  auto c = fresh.encoder();
  c->eval();
  EXPECT_FALSE(torch::equal(encode_wplus(*a, first.latent_avg(), x), encode_wplus(*c, fresh.latent_avg(), x)));

  auto other = small_generator();
  other.latent_avg = other.latent_avg + 1;
  EXPECT_THROW(E4eTrainer(other, small_config(), options), std::invalid_argument);
}

TEST(DemoE4eTrainer, ResumedRunContinuesExactly) {
  auto g = small_generator();
  E4eTrainer straight(g, small_config(), quick_options(4));
  straight.train();

  const fs::path state = testing::temp_dir("demo_e4e_resume") / "state.pt";
  fs::remove(state);
  {
    E4eTrainer first(g, small_config(), quick_options(2), {}, state);
    first.train();
    first.save_state();
  }
  E4eTrainer resumed(g, small_config(), quick_options(4), {}, state);
  EXPECT_TRUE(resumed.resumed());
  EXPECT_EQ(resumed.step(), 2);
  resumed.train();
  const auto a = straight.checkpoint_state_dict(), b = resumed.checkpoint_state_dict();
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, t] : a.entries())
    EXPECT_TRUE(torch::equal(t, b.at(name))) << name;
  // Other options do not resume silently.
  auto other = quick_options(4);
  other.batch = 4;
  EXPECT_THROW(E4eTrainer(g, small_config(), other, {}, state), std::runtime_error);
}

// The first step's losses of quick_options(1) and of `other`: the same start and the same batch.
std::pair<E4eLosses, E4eLosses> first_steps(nets::LoadedGenerator& g, const E4eTrainOptions& other) {
  E4eTrainer plain(g, small_config(), quick_options(1)), changed(g, small_config(), other);
  return {plain.train_step(), changed.train_step()};
}

// attribute_weight weights the pixel loss by the region map: the same batch scores differently,
// and a run saved with other weights does not resume silently.
TEST(DemoE4eTrainer, AttributeWeightReweightsThePixelLoss) {
  auto g = small_generator();
  auto weighted_options = quick_options(1);
  weighted_options.attribute_weight = 10;
  const auto [p, w] = first_steps(g, weighted_options);
  EXPECT_EQ(p.w, w.w);
  EXPECT_GT(std::abs(p.pixel - w.pixel), 1e-3 * p.pixel);

  const fs::path state = testing::temp_dir("demo_e4e_weighted") / "state.pt";
  fs::remove(state);
  {
    E4eTrainer first(g, small_config(), quick_options(2), {}, state);
    first.train();
    first.save_state();
  }
  EXPECT_THROW(E4eTrainer(g, small_config(), weighted_options, {}, state), std::runtime_error);
}

// The mean distance of each W+ slot from the first on the fixed samples.
double slot_spread(nets::LoadedGenerator& g, E4eTrainer& t) {
  const auto wplus = encode_fixed_samples(g, t).wplus;  // [32, L, D]
  return (wplus - wplus.narrow(1, 0, 1)).norm(2, -1).mean().item<double>();
}

// --delta-weight: e4e's delta regulariser counts in proportion to its weight, and a heavy one
// keeps the W+ slots together (inversions an edit can move like the generator's own codes).
TEST(DemoE4eTrainer, DeltaWeightCountsInProportionAndPullsTheSlotsTogether) {
  auto g = small_generator();
  auto heavy = quick_options(1);
  heavy.delta_weight = 1.0;
  const auto [p, h] = first_steps(g, heavy);
  EXPECT_EQ(p.delta, h.delta);  // the same start and batch
  EXPECT_GT(h.delta, 1e-4);
  EXPECT_NEAR(h.total - p.total, (1.0 - quick_options(1).delta_weight) * h.delta, 1e-5 * h.total);

  auto light_run = quick_options(40), heavy_run = quick_options(40);
  heavy_run.delta_weight = 1.0;
  E4eTrainer light_trainer(g, small_config(), light_run), heavy_trainer(g, small_config(), heavy_run);
  light_trainer.train();
  heavy_trainer.train();
  EXPECT_LT(slot_spread(g, heavy_trainer), 0.5 * slot_spread(g, light_trainer));
}

// --readout-weight: one more term, the error of the attribute draws read from every W+ slot, in
// proportion to its weight; on real images against their own draws, which it then needs.
TEST(DemoE4eTrainer, ReadoutLossAddsTheAttributeDrawErrorInProportionToItsWeight) {
  auto g = small_generator();
  auto o = quick_options(1);
  o.readout_weight = 0.5;
  const auto [p, r] = first_steps(g, o);
  EXPECT_EQ(p.w, r.w);
  EXPECT_EQ(p.pixel, r.pixel);
  EXPECT_EQ(p.readout, 0.0);
  EXPECT_GT(r.readout, 1e-4);
  EXPECT_NEAR(r.total, p.total + 0.5 * r.readout, 1e-5 * r.total);

  const torch::Tensor real = torch::randint(0, 256, {4, 3, 32, 32}, torch::kUInt8);
  EXPECT_THROW(E4eTrainer(g, small_config(), o, real), std::invalid_argument);
  o.real_every = 1;
  E4eTrainer on_real(g, small_config(), o, real, {}, torch::rand({4, kLatentAttributeDraws}));
  const E4eLosses step = on_real.train_step();
  EXPECT_TRUE(step.real);
  EXPECT_EQ(step.w, 0.0);  // no W+ target for a real image
  EXPECT_GT(step.readout, 1e-4);
  EXPECT_THROW(E4eTrainer(g, small_config(), o, real, {}, torch::rand({3, kLatentAttributeDraws})),
               std::invalid_argument);
}

TEST(DemoE4eTrainer, RejectsAnEncoderThatDoesNotFitTheGenerator) {
  auto g = small_generator();
  EXPECT_THROW(E4eTrainer(g, small_e4e_config(64, 8, 16), quick_options(1)),
               std::invalid_argument);
  EXPECT_THROW(E4eTrainer(g, small_e4e_config(32, 10, 16), quick_options(1)),
               std::invalid_argument);
}

// PNG -> [H, W, 3] uint8 RGB.
torch::Tensor read_rgb8(const std::string& relative) {
  cv::Mat bgr = cv::imread(testing::fixture(relative).string(), cv::IMREAD_COLOR);
  if (bgr.empty()) ADD_FAILURE() << "cannot read " << relative;
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
}

// PIL's bilinear (triangle) filter in plain floating point along one axis: the filter widens
// with the downscale factor (antialiasing) and each pass rounds to uint8.
torch::Tensor triangle_resize_axis(const torch::Tensor& img, int axis, int64_t out) {
  const int64_t in = img.size(axis);
  const double scale = static_cast<double>(in) / out, support = std::max(scale, 1.0);
  auto src = img.to(torch::kFloat64).movedim(axis, 0);  // [in, other, C]
  std::vector<torch::Tensor> rows;
  for (int64_t o = 0; o < out; ++o) {
    const double center = (o + 0.5) * scale;
    auto acc = torch::zeros_like(src[0]);
    double total = 0;
    for (int64_t i = std::max<int64_t>(0, static_cast<int64_t>(std::floor(center - support)));
         i < std::min<int64_t>(in, static_cast<int64_t>(std::ceil(center + support))); ++i) {
      const double wgt = std::max(0.0, 1.0 - std::abs((i + 0.5 - center) / support));
      acc += wgt * src[i];
      total += wgt;
    }
    rows.push_back((acc / total).round().clamp(0, 255));
  }
  return torch::stack(rows).movedim(0, axis).to(torch::kUInt8);
}

TEST(E4eInputSize, FollowsTheRequestedSizeAndKeepsTheDefault) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto img = read_rgb8("e4e/input_1024.png");
  // Size 256 given explicitly is the reference transform, bit for bit.
  const auto x256 = nets::e4e_input_from_rgb8(img, 256);
  EXPECT_EQ(testing::max_abs_diff(x256, testing::fixture_npy("e4e/input_1024_resized.npy")), 0.0);
  EXPECT_TRUE(torch::equal(x256, nets::e4e_input_from_rgb8(img)));

  // Size 64: PIL's antialiased bilinear resize (horizontal pass, then vertical), normalised.
  const auto x64 = nets::e4e_input_from_rgb8(img, 64);
  ASSERT_EQ(x64.sizes(), (std::vector<int64_t>{1, 3, 64, 64}));
  const auto expected_u8 = triangle_resize_axis(triangle_resize_axis(img, 1, 64), 0, 64);
  const auto expected = expected_u8.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32) / 127.5 - 1;
  // Pillow's fixed-point weights may move a value by one level against exact arithmetic.
  EXPECT_LE(testing::max_abs_diff(x64, expected), 1.0 / 127.5 + 1e-6);
  EXPECT_LT((x64 - expected).abs().mean().item<double>(), 0.1 / 127.5);

  // A 64 px image at size 64 is only normalised.
  const auto small = img.narrow(0, 100, 64).narrow(1, 300, 64).contiguous();
  const auto same = nets::e4e_input_from_rgb8(small, 64);
  EXPECT_TRUE(torch::equal(same, small.permute({2, 0, 1}).unsqueeze(0).to(torch::kFloat32)
                                     .div(255.0).sub(0.5).div(0.5)));
  EXPECT_THROW(nets::e4e_input_from_rgb8(img, 0), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::demo_train
