// measure_generator_fidelity compares what the predictor reads on G(z) with what z decides. A
// predictor that never sees glasses or a beard must score exactly the share of latents without
// them (the domain draws glasses with p 0.35, beards with p 0.3) and recall nothing.
#include <gtest/gtest.h>

#include "core/demo_train/attribute_counterparts.h"
#include "core/demo_train/generator_fidelity.h"
#include "tests/demo_train/random_generator.h"

namespace deltaedit::demo_train {
namespace {

// 32 px, W of `style_dim`.
nets::LoadedGenerator small_generator(int64_t style_dim = 16) {
  nets::GeneratorConfig cfg;
  cfg.size = 32;
  cfg.style_dim = style_dim;
  cfg.n_mlp = 2;
  cfg.channels = {8, 8, 8, 8};
  return random_generator(cfg, 5);
}

// Outputs constant logits: every regression 0.5, glasses and beard never.
AttributePredictor blind_predictor() {
  AttributePredictor p;
  torch::NoGradGuard no_grad;
  p.net()->head->weight.zero_();
  p.net()->head->bias.fill_(0.5);
  p.net()->head->bias[kPredictorOutputs - 2] = -5.0;  // glasses logit
  p.net()->head->bias[kPredictorOutputs - 1] = -5.0;  // beard logit
  return p;
}

TEST(GeneratorFidelity, ABlindPredictorScoresTheDomainsBaseRates) {
  auto g = small_generator();
  const GeneratorFidelity f = measure_generator_fidelity(g, blind_predictor(), 2000, 3);
  EXPECT_EQ(f.samples, 2000);
  ASSERT_EQ(f.attributes.size(), 8u);
  std::map<std::string, AttributeFidelity> by_name;
  for (const auto& a : f.attributes) by_name[a.attribute] = a;
  for (const char* r : {"smile", "hair_length", "skin_tone", "eye_size"}) {
    EXPECT_EQ(by_name.at(r).measure, "correlation");
    EXPECT_EQ(by_name.at(r).agreement, 0.0) << r;  // a constant reading correlates with nothing
  }
  EXPECT_NEAR(by_name.at("glasses").agreement, 0.65, 0.04);
  EXPECT_NEAR(by_name.at("beard").agreement, 0.70, 0.04);
  EXPECT_EQ(by_name.at("glasses").recall, 0.0);
  EXPECT_EQ(by_name.at("beard").recall, 0.0);
  // Blind to the renderer's own portraits as well.
  EXPECT_EQ(by_name.at("glasses").target_recall, 0.0);
  EXPECT_NEAR(by_name.at("beard").target_agreement, by_name.at("beard").agreement, 1e-12);
  // The first hair colour (black) and background (white) logits win the ties: about 1 in 6 and
  // 1 in 7 latents decide those.
  EXPECT_NEAR(by_name.at("hair_colour").agreement, 1.0 / 6, 0.04);
  EXPECT_NEAR(by_name.at("background").agreement, 1.0 / 7, 0.04);
  EXPECT_NE(to_markdown(f).find("| glasses | accuracy |"), std::string::npos);
}

TEST(GeneratorFidelity, SamplesAreTheSameForASeed) {
  auto g = small_generator();
  const torch::Tensor a = generator_samples(g, 4, 9), b = generator_samples(g, 4, 9);
  ASSERT_EQ(a.sizes(), (std::vector<int64_t>{4, 3, 32, 32}));
  EXPECT_TRUE(torch::equal(a, b));
  EXPECT_GE(a.min().item<float>(), 0.0f);
  EXPECT_LE(a.max().item<float>(), 1.0f);
  EXPECT_FALSE(torch::equal(a, generator_samples(g, 4, 10)));
}

TEST(GeneratorFidelity, CounterpartEffectsTableOneRowPerFamily) {
  auto g = small_generator(48);  // the counterparts keep the norm with the entries past the draws
  const CounterpartEffects blind = measure_counterpart_effects(g, blind_predictor(), 4, 1);
  EXPECT_EQ(blind.pairs, 4);
  ASSERT_EQ(blind.families.size(), static_cast<size_t>(kAttributeFamilies));
  ASSERT_EQ(blind.generator.sizes(), (std::vector<int64_t>{kAttributeFamilies, 7}));
  EXPECT_EQ(blind.generator.abs().max().item<double>(), 0.0);  // a constant reading never changes
  EXPECT_EQ(blind.targets.abs().max().item<double>(), 0.0);

  torch::manual_seed(8);
  const AttributePredictor random;  // untrained: reads something, differently for each picture
  const CounterpartEffects a = measure_counterpart_effects(g, random, 4, 1);
  const CounterpartEffects b = measure_counterpart_effects(g, random, 4, 1);
  EXPECT_TRUE(torch::equal(a.generator, b.generator));
  EXPECT_TRUE(torch::equal(a.targets, b.targets));
  EXPECT_GT(a.targets.min().item<double>(), 0.0);
  EXPECT_FALSE(torch::allclose(a.generator, a.targets));
  const std::string table = to_markdown(a);
  EXPECT_NE(table.find("| hair colour |"), std::string::npos) << table;
  EXPECT_NE(table.find("| family | smile | hair_length |"), std::string::npos) << table;
  EXPECT_NE(table.find("| drawn by toRGB |"), std::string::npos) << table;
  // The random generator draws part of every change in toRGB, and never more than all of it
  // (S from the second latent, W from the first, is a different picture from either).
  ASSERT_EQ(a.torgb_share.sizes(), (std::vector<int64_t>{kAttributeFamilies}));
  EXPECT_TRUE(torch::equal(a.torgb_share, b.torgb_share));
  EXPECT_GT(a.torgb_share.min().item<double>(), 0.0);
  EXPECT_THROW(measure_counterpart_effects(g, random, 1, 1), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::demo_train
