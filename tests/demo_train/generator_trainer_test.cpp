// The demo generator's targets and training: latents decide portraits, training lowers the
// regression loss, the file loads through the product's loader, and resuming is exact.
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/demo/demo_random.h"
#include "core/demo/face_attributes.h"
#include "core/demo/latent_draws.h"
#include "core/demo/portrait_renderer.h"
#include "core/demo_train/generator_trainer.h"
#include "core/demo_train/latent_portraits.h"
#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "core/nets/stylegan2/generator.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::demo_train {
namespace {

TEST(LatentDraws, ReplaysTheDatasetDrawsExactly) {
  // The uniforms of an mt19937_64 stream, replayed, give the same portrait (the caption
  // variant is the one raw 64-bit draw: its low 11 bits are not replayed).
  std::mt19937_64 a(42), b(42);
  std::vector<double> u;
  for (int i = 0; i < demo::kAttributeDraws; ++i) u.push_back(demo::uniform01(b));
  demo::LatentDraws draws(u);
  demo::FaceAttributes from_rng = demo::sample_attributes(a);
  demo::FaceAttributes replayed = demo::sample_attributes(draws);
  EXPECT_EQ(draws.used(), static_cast<size_t>(demo::kAttributeDraws));
  EXPECT_EQ(replayed.nuisance.caption_variant >> 11, from_rng.nuisance.caption_variant >> 11);
  replayed.nuisance.caption_variant = from_rng.nuisance.caption_variant;
  EXPECT_EQ(demo::to_json(replayed), demo::to_json(from_rng));
  demo::LatentDraws too_few(std::vector<double>(demo::kAttributeDraws - 1, 0.5));
  EXPECT_THROW(demo::sample_attributes(too_few), std::out_of_range);
}

TEST(LatentPortraits, LatentDecidesThePortrait) {
  torch::manual_seed(0);
  const torch::Tensor z = torch::randn({4, 64});
  const torch::Tensor x = render_latents(z, 32);
  ASSERT_EQ(x.sizes(), (std::vector<int64_t>{4, 3, 32, 32}));
  EXPECT_GE(x.min().item<float>(), -1.0f);
  EXPECT_LE(x.max().item<float>(), 1.0f);
  // Scaling z keeps z / rms(z), so the portrait; unused entries change nothing.
  EXPECT_TRUE(torch::equal(render_latents(z * 2.0f, 32), x));
  torch::Tensor z2 = z.clone();
  z2.narrow(1, 40, 10).mul_(-1);  // sign flips keep the rms
  EXPECT_TRUE(torch::equal(render_latents(z2, 32), x));
  // The first entry is the smile: a large positive value smiles, a large negative frowns.
  torch::Tensor smile = z.narrow(0, 0, 1).clone();
  smile[0][0] = 3.0f;
  EXPECT_GT(attributes_from_latent(smile.data_ptr<float>(), 64).smile, 0.9f);
  smile[0][0] = -3.0f;
  EXPECT_LT(attributes_from_latent(smile.data_ptr<float>(), 64).smile, -0.9f);
  EXPECT_THROW(attributes_from_latent(z.data_ptr<float>(), 7), std::invalid_argument);
  // The nuisance parameters stay neutral: only the named attributes vary.
  EXPECT_EQ(demo::to_json(attributes_from_latent(z.data_ptr<float>(), 64))["nuisance"],
            demo::to_json(demo::FaceAttributes{})["nuisance"]);
  // Pixels: the tensor is the renderer's image in RGB order.
  const cv::Mat bgr = demo::render_face(attributes_from_latent(z.data_ptr<float>(), 64), 32);
  const cv::Vec3b p = bgr.at<cv::Vec3b>(5, 7);
  EXPECT_NEAR(x[0][0][5][7].item<float>(), p[2] / 127.5 - 1.0, 1e-6);
  EXPECT_NEAR(x[0][2][5][7].item<float>(), p[0] / 127.5 - 1.0, 1e-6);
}

// The batch form of the draws gives the attributes attributes_from_latent decides.
TEST(LatentPortraits, BatchDrawsMatchTheAttributesTheyDecide) {
  torch::manual_seed(4);
  const torch::Tensor z = torch::randn({16, 32});
  const torch::Tensor u = latent_attribute_draws(z);
  ASSERT_EQ(u.sizes(), (std::vector<int64_t>{16, kLatentAttributeDraws}));
  for (int64_t i = 0; i < z.size(0); ++i) {
    const demo::FaceAttributes a = attributes_from_latent(z[i].contiguous().data_ptr<float>(), 32);
    EXPECT_NEAR(a.smile, -1 + 2 * u[i][0].item<double>(), 1e-5);  // smile ~ U(-1, 1), draw 0
    EXPECT_NEAR(a.hair_length, u[i][2].item<double>(), 1e-5);
    EXPECT_EQ(a.eyeglasses, u[i][3].item<double>() < 0.35);
    EXPECT_NEAR(a.skin_tone, u[i][4].item<double>(), 1e-5);
    EXPECT_NEAR(a.eye_size, u[i][5].item<double>(), 1e-5);
    EXPECT_EQ(a.beard, u[i][6].item<double>() < 0.3);
  }
}

// latent_draws_of gives back the draws that decide the attributes: exactly where the attribute
// is continuous, within the draw's range for a class or a yes/no, so the draws it gives decide
// the same portrait again.
TEST(LatentPortraits, DrawsOfAttributesDecideTheSameAttributes) {
  torch::manual_seed(6);
  const torch::Tensor z = torch::randn({200, 32});
  const torch::Tensor u = latent_attribute_draws(z);
  for (int64_t i = 0; i < z.size(0); ++i) {
    const demo::FaceAttributes a = attributes_from_latent(z[i].contiguous().data_ptr<float>(), 32);
    const torch::Tensor v = latent_draws_of(a);
    ASSERT_EQ(v.sizes(), (std::vector<int64_t>{kLatentAttributeDraws}));
    for (int k : {0, 2, 4, 5}) EXPECT_NEAR(v[k].item<double>(), u[i][k].item<double>(), 1e-5) << k;
    EXPECT_NEAR(v[1].item<double>(), u[i][1].item<double>(), 0.5 / demo::kHairColourCount + 1e-6);
    EXPECT_NEAR(v[7].item<double>(), u[i][7].item<double>(), 0.5 / demo::kBackgroundCount + 1e-6);
    EXPECT_EQ(v[3].item<double>() < demo::kGlassesChance, a.eyeglasses);
    EXPECT_EQ(v[6].item<double>() < demo::kBeardChance, a.beard);
    // Decoded again: a latent of rms 1 (so z / rms(z) = z) whose first entries are the draws'
    // normal quantiles, the other 56 equal.
    const torch::Tensor q = std::sqrt(2.0) * torch::erfinv(2 * v - 1);  // [8]
    const double rest = std::sqrt((64.0 - q.square().sum().item<double>()) / 56.0);
    const torch::Tensor latent = torch::cat({q, torch::full({56}, rest)});
    const demo::FaceAttributes b = attributes_from_latent(latent.contiguous().data_ptr<float>(), 64);
    EXPECT_EQ(b.hair_colour, a.hair_colour);
    EXPECT_EQ(b.background, a.background);
    EXPECT_EQ(b.eyeglasses, a.eyeglasses);
    EXPECT_EQ(b.beard, a.beard);
  }
}

GeneratorTrainOptions tiny_options() {
  GeneratorTrainOptions o;
  o.architecture.size = 16;
  o.architecture.style_dim = 32;
  o.architecture.n_mlp = 2;
  o.architecture.channels = {16, 16, 16};
  o.batch = 8;
  o.save_every = 10;
  o.latent_avg_samples = 64;
  o.seed = 7;
  return o;
}

TEST(GeneratorTrainer, LearningRateHoldsThenDecaysByACosineToOneTwentieth) {
  GeneratorTrainOptions o;
  o.steps = 1000;
  o.decay_start = 0.6;
  EXPECT_EQ(generator_rate_factor(o, 0), 1.0);
  EXPECT_EQ(generator_rate_factor(o, 599), 1.0);
  EXPECT_NEAR(generator_rate_factor(o, 800), 0.05 + 0.95 * 0.5, 1e-12);  // halfway down
  EXPECT_NEAR(generator_rate_factor(o, 1000), 0.05, 1e-12);
  for (int64_t t = 600; t < 1000; ++t) EXPECT_LE(generator_rate_factor(o, t + 1), generator_rate_factor(o, t));
  o.decay_start = 1.0;  // no decay
  EXPECT_EQ(generator_rate_factor(o, 999), 1.0);
}

TEST(GeneratorTrainer, LearnsLoadsAndResumesExactly) {
  const auto dir = testing::temp_dir("demo_generator");
  GeneratorTrainOptions o = tiny_options();
  o.steps = 60;
  std::vector<double> losses;
  train_demo_generator(dir / "g.pt", o, [&](const GeneratorTrainEvent& e) { losses.push_back(e.loss); });
  ASSERT_GE(losses.size(), 3u);
  EXPECT_LT(losses.back(), 0.8 * losses.front());

  // The product's loader reads it and infers the architecture.
  const nets::LoadedGenerator g = nets::load_generator(dir / "g.pt", nets::choose_device("cpu"));
  EXPECT_EQ(g.net->size(), 16);
  EXPECT_EQ(g.net->style_dim(), 32);
  EXPECT_EQ(g.latent_avg.sizes(), (std::vector<int64_t>{32}));

  // Interrupted after the checkpoint of step 30 (the learning rate decays over the last 40% of
  // the 60 steps, so the schedule is part of what must resume), then rerun: equals 60 in one go.
  struct Interrupted {};
  EXPECT_THROW(train_demo_generator(dir / "r.pt", o,
                                    [](const GeneratorTrainEvent& e) {
                                      if (e.saved && e.step == 30) throw Interrupted{};
                                    }),
               Interrupted);
  train_demo_generator(dir / "r.pt", o, [](const GeneratorTrainEvent& e) { EXPECT_GT(e.step, 30); });
  EXPECT_TRUE(testing::same_state_dicts(io::load_state_dict(dir / "g.pt", "g_ema"),
                                        io::load_state_dict(dir / "r.pt", "g_ema")));
}

// --init starts from another generator file (fine-tuning), and the region-weighted loss trains.
TEST(GeneratorTrainer, FineTunesFromAnInitFileWithRegionWeightedLoss) {
  const auto dir = testing::temp_dir("demo_generator_init");
  GeneratorTrainOptions o = tiny_options();
  o.steps = 40;
  train_demo_generator(dir / "a.pt", o, [](const GeneratorTrainEvent&) {});

  // No steps: the product is the init file's g_ema.
  GeneratorTrainOptions copy = tiny_options();
  copy.steps = 0;
  copy.init = dir / "a.pt";
  train_demo_generator(dir / "b.pt", copy, [](const GeneratorTrainEvent&) {});
  EXPECT_TRUE(testing::same_state_dicts(io::load_state_dict(dir / "a.pt", "g_ema"),
                                        io::load_state_dict(dir / "b.pt", "g_ema")));

  // With the region weights, from the trained file the loss starts well below a fresh start's.
  const auto first_loss = [&](const std::filesystem::path& out, const std::filesystem::path& init) {
    GeneratorTrainOptions w = tiny_options();
    w.steps = 25;
    w.attribute_weight = 10;
    w.init = init;
    double first = -1;
    train_demo_generator(out, w, [&](const GeneratorTrainEvent& e) {
      if (first < 0) first = e.loss;
    });
    return first;
  };
  const double tuned = first_loss(dir / "c.pt", dir / "a.pt");
  const double fresh = first_loss(dir / "d.pt", {});
  EXPECT_TRUE(std::isfinite(tuned));
  EXPECT_LT(tuned, 0.8 * fresh);

  GeneratorTrainOptions missing = tiny_options();
  missing.init = dir / "no-such.pt";
  EXPECT_THROW(train_demo_generator(dir / "e.pt", missing, [](const GeneratorTrainEvent&) {}),
               io::ModelFileError);
}

// Fraction of the variance of the 8 attribute draws a least-squares read-out of W explains.
double draws_explained_by_w(const std::filesystem::path& file) {
  nets::LoadedGenerator g = nets::load_generator(file, nets::choose_device("cpu"));
  torch::NoGradGuard no_grad;
  torch::manual_seed(11);
  const torch::Tensor z = torch::randn({2048, g.net->style_dim()});
  const torch::Tensor draws = latent_attribute_draws(z);
  const torch::Tensor a = torch::cat({g.net->mapping(z), torch::ones({2048, 1})}, 1);
  const torch::Tensor fit = a.matmul(std::get<0>(torch::linalg_lstsq(a, draws)));
  return 1.0 - (fit - draws).square().sum().item<double>() /
                   (draws - draws.mean(0)).square().sum().item<double>();
}

// --latent-code-weight trains a read-out of the attribute draws from W along with the generator:
// W keeps more of them, and the read-out is part of the resume state (exact resume).
TEST(GeneratorTrainer, LatentCodeLossKeepsTheDrawsInWAndResumesExactly) {
  const auto dir = testing::temp_dir("demo_generator_code");
  GeneratorTrainOptions o = tiny_options();
  o.steps = 200;
  o.save_every = 100;
  train_demo_generator(dir / "plain.pt", o, [](const GeneratorTrainEvent&) {});
  o.latent_code_weight = 100;
  train_demo_generator(dir / "coded.pt", o, [](const GeneratorTrainEvent&) {});
  const double plain = draws_explained_by_w(dir / "plain.pt"), coded = draws_explained_by_w(dir / "coded.pt");
  EXPECT_GT(coded, plain + 0.1);

  struct Interrupted {};
  EXPECT_THROW(train_demo_generator(dir / "r.pt", o,
                                    [](const GeneratorTrainEvent& e) {
                                      if (e.saved && e.step == 100) throw Interrupted{};
                                    }),
               Interrupted);
  train_demo_generator(dir / "r.pt", o, [](const GeneratorTrainEvent&) {});
  EXPECT_TRUE(testing::same_state_dicts(io::load_state_dict(dir / "coded.pt", "g_ema"),
                                        io::load_state_dict(dir / "r.pt", "g_ema")));
}

// The share of the change between two latents' portraits that the toRGB layers draw: what is
// left of it when S comes from the second latent and only toRGB still reads the first one's W.
double torgb_share(const std::filesystem::path& file) {
  nets::LoadedGenerator g = nets::load_generator(file, nets::choose_device("cpu"));
  torch::NoGradGuard no_grad;
  torch::manual_seed(12);
  const torch::Tensor wplus = g.net->broadcast_w(g.net->mapping(torch::randn({128, g.net->style_dim()})));
  const torch::Tensor s = g.net->w_to_s(wplus);
  const torch::Tensor wa = wplus.narrow(0, 0, 64), wb = wplus.narrow(0, 64, 64);
  const torch::Tensor sa = s.narrow(0, 0, 64), sb = s.narrow(0, 64, 64);
  const torch::Tensor b = g.net->synthesize_s(sb, wb);  // [64, 3, 16, 16]
  return (b - g.net->synthesize_s(sb, wa)).abs().mean().item<double>() /
         (b - g.net->synthesize_s(sa, wa)).abs().mean().item<double>();
}

// --torgb-mix draws part of each batch with another sample's W in toRGB: what tells portraits
// apart moves into S, the part edits change.
TEST(GeneratorTrainer, TorgbMixMovesWhatTellsPortraitsApartIntoS) {
  const auto dir = testing::temp_dir("demo_generator_torgb");
  GeneratorTrainOptions o = tiny_options();
  o.steps = 600;
  o.save_every = 300;
  train_demo_generator(dir / "plain.pt", o, [](const GeneratorTrainEvent&) {});
  o.torgb_mix = 0.5;
  std::vector<double> losses;
  train_demo_generator(dir / "mixed.pt", o, [&](const GeneratorTrainEvent& e) { losses.push_back(e.loss); });
  EXPECT_LT(losses.back(), 0.8 * losses.front());
  const double plain = torgb_share(dir / "plain.pt"), mixed = torgb_share(dir / "mixed.pt");
  EXPECT_GT(plain, 0.3);  // the tiny generator draws most of it in toRGB (0.74 here)
  EXPECT_LT(mixed, 0.5 * plain);  // 0.29
}

}  // namespace
}  // namespace deltaedit::demo_train
