// The edit evaluation: PSNR against its formula, and the whole measurement on the fixture models
// (random networks, so only the mechanics: rows, ranges, finite numbers, the files' contents).
#include <cmath>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "core/demo/demo_dataset.h"
#include "core/demo_train/edit_evaluation.h"
#include "tests/support/fixture_bundle.h"
#include "tests/support/fixtures.h"

namespace deltaedit::demo_train {
namespace {

namespace fs = std::filesystem;

TEST(Psnr, IsInfiniteForIdenticalImagesAndFollowsTheFormula) {
  torch::manual_seed(4);
  const auto a = 0.2 + 0.6 * torch::rand({1, 3, 16, 16});
  EXPECT_TRUE(std::isinf(psnr(a, a)));
  // Every pixel off by 0.05 either way: MSE = 0.0025, PSNR = 10 log10(1 / 0.0025) = 26.0206 dB.
  const auto signs = torch::where(torch::rand({1, 3, 16, 16}) < 0.5, -1.0, 1.0);
  EXPECT_NEAR(psnr(a + 0.05 * signs, a), 10.0 * std::log10(1.0 / 0.0025), 1e-4);
  EXPECT_NEAR(psnr(a + 0.1, a), 20.0, 1e-4);
  EXPECT_THROW(psnr(a, torch::zeros({1, 3, 8, 8})), std::invalid_argument);
}

torch::Tensor doubles(std::vector<double> v) { return torch::tensor(v, torch::kDouble); }

TEST(Reversal, RegressionsCountEveryImageAndYesNoAttributesTheFacesThatHaveIt) {
  // Five faces: the reconstruction's reading, the readings at +alpha and -alpha, and the signal's
  // change at -alpha.
  const auto recon = doubles({0.9, 0.8, 0.1, 0.2, 0.3}), plus = doubles({0.95, 0.9, 0.7, 0.3, 0.6}),
             minus = doubles({0.4, 0.85, 0.05, 0.6, 0.2}), change = doubles({-3, -0.5, -1, 2, 0.5});

  const auto regression = measure_reversal(false, +1, recon, plus, minus, change);
  EXPECT_FALSE(regression.by_presence);
  EXPECT_DOUBLE_EQ(regression.all, 3.0 / 5);  // faces 0, 1, 2 moved back
  EXPECT_DOUBLE_EQ(regression.measure(), 3.0 / 5);

  // Adding the attribute: faces 0 and 1 have it, both moved back, face 0 lost it; of the three
  // without it, -alpha gave it to face 3 and +alpha to faces 2 and 4.
  const auto adding = measure_reversal(true, +1, recon, plus, minus, change);
  EXPECT_TRUE(adding.by_presence);
  EXPECT_EQ(adding.holders, 2);
  EXPECT_DOUBLE_EQ(adding.all, 3.0 / 5);
  EXPECT_DOUBLE_EQ(adding.from_holders, 1.0);
  EXPECT_DOUBLE_EQ(adding.taken_from_holders, 0.5);
  EXPECT_DOUBLE_EQ(adding.added_to_others, 1.0 / 3);
  EXPECT_DOUBLE_EQ(adding.added_plus, 2.0 / 3);
  EXPECT_DOUBLE_EQ(adding.measure(), 2.0 / 3);  // min(1, 1 - 1/3): face 3 went the wrong way

  // Removing it: the three faces without it are the holders; -alpha should add it back (signal
  // up): faces 3 and 4 moved up, face 3 crossed 0.5; of faces 0 and 1, -alpha took it from 0.
  const auto removing = measure_reversal(true, -1, recon, plus, minus, change);
  EXPECT_EQ(removing.holders, 3);
  EXPECT_DOUBLE_EQ(removing.all, 2.0 / 5);
  EXPECT_DOUBLE_EQ(removing.from_holders, 2.0 / 3);
  EXPECT_DOUBLE_EQ(removing.taken_from_holders, 1.0 / 3);
  EXPECT_DOUBLE_EQ(removing.added_to_others, 0.5);
  EXPECT_DOUBLE_EQ(removing.added_plus, 0.0);
  EXPECT_DOUBLE_EQ(removing.measure(), 0.5);

  // Nobody has it: nothing to take away, so the reverse edit is unmeasured and cannot pass.
  const auto none = measure_reversal(true, +1, doubles({0.1, 0.2}), doubles({0.9, 0.9}), doubles({0.1, 0.1}),
                                     doubles({-1, -1}));
  EXPECT_EQ(none.holders, 0);
  EXPECT_TRUE(std::isnan(none.from_holders));
  EXPECT_DOUBLE_EQ(none.added_to_others, 0.0);
  EXPECT_DOUBLE_EQ(none.measure(), 0.0);
}

TEST(EditEvaluation, ReportsEveryPromptWithFiniteNumbersOnTheFixtureModels) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const fs::path bundle = testing::make_fixture_model_bundle(testing::temp_dir("eval_bundle"));
  engine::EditEngine engine(engine::locate_models(bundle), nets::choose_device("cpu"));
  const fs::path data = testing::temp_dir("eval_data");
  demo::write_dataset({.out_dir = data, .train_count = 0, .held_out_count = 3, .size = 64, .seed = 1});
  torch::manual_seed(5);
  const AttributePredictor predictor;  // untrained: the numbers mean nothing, but must be there

  EditEvaluationOptions o;
  o.data_dir = data;
  o.count = 10;  // only 3 exist
  int64_t calls = 0;
  const auto e = evaluate_edits(engine, predictor, o, [&](int64_t done, int64_t total) {
    ++calls;
    EXPECT_EQ(total, 3);
    EXPECT_EQ(done, calls);
  });
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(e.images, 3);
  EXPECT_DOUBLE_EQ(e.threshold, 0.03);
  EXPECT_TRUE(std::isfinite(e.psnr_mean));
  EXPECT_GT(e.psnr_mean, 0.0);
  EXPECT_LE(e.psnr_min, e.psnr_mean);
  EXPECT_GE(e.psnr_max, e.psnr_mean);
  ASSERT_EQ(e.prompts.size(), default_edit_prompts().size());
  ASSERT_EQ(e.held_out_std.size(), score_names().size());
  ASSERT_EQ(e.reconstruction_kept.size(), side_effect_attributes().size());
  for (double c : e.reconstruction_kept)
    if (!std::isnan(c)) {  // NaN only where a reading is constant over the images
      EXPECT_GE(c, -1.0 - 1e-9);
      EXPECT_LE(c, 1.0 + 1e-9);
    }
  const auto json = to_json(e);
  for (size_t p = 0; p < e.prompts.size(); ++p) {
    const auto& r = e.prompts[p];
    EXPECT_EQ(r.spec.target, default_edit_prompts()[p].target);
    for (double f : {r.right_way_plus, r.reversal.all, r.hair_class_changed, r.background_class_changed}) {
      EXPECT_GE(f, 0.0);
      EXPECT_LE(f, 1.0);
    }
    // The report keeps the all-images figure under its earlier name.
    EXPECT_EQ(json["prompts"][p]["reverse_minus"].get<double>(), r.reversal.all);
    // Glasses, a beard and blond hair are there or not; a smile, hair length, skin and eyes vary.
    const bool yes_no = r.spec.attribute == "glasses" || r.spec.attribute == "beard" || r.spec.attribute == "hair_blond";
    EXPECT_EQ(r.reversal.by_presence, yes_no) << r.spec.target;
    EXPECT_GE(r.reversal.measure(), 0.0);
    EXPECT_LE(r.reversal.measure(), 1.0);
    EXPECT_GE(r.reversal.holders, 0);
    EXPECT_LE(r.reversal.holders, e.images);
    EXPECT_TRUE(std::isfinite(r.mean_change_plus) && std::isfinite(r.mean_change_minus));
    EXPECT_TRUE(std::isfinite(r.named_effect));
    ASSERT_EQ(r.other_effects.size(), side_effect_attributes().size());
    int named_columns = 0;
    for (size_t k = 0; k < r.other_effects.size(); ++k) {
      if (std::isnan(r.other_effects[k])) {
        ++named_columns;
      } else {
        EXPECT_GE(r.other_effects[k], 0.0);
      }
    }
    // Only the named attribute's own column is left out (it is one of the side-effect columns
    // for every default prompt).
    EXPECT_EQ(named_columns, 1) << r.spec.target;
    EXPECT_FALSE(r.worst_other.empty());
  }
  EXPECT_EQ(json["prompts"].size(), e.prompts.size());
  EXPECT_EQ(json["images"], 3);
  EXPECT_EQ(json["passing_prompts"], e.passing());
  const std::string md = to_markdown(e);
  for (const auto& p : default_edit_prompts()) EXPECT_NE(md.find("| " + p.target + " |"), std::string::npos);
  EXPECT_NE(md.find("reconstruction PSNR"), std::string::npos);
  EXPECT_NE(md.find("| face with a beard | "), std::string::npos);
  EXPECT_NE(md.find("faces with it"), std::string::npos);  // the yes/no attributes' table
  // Its footnote is escaped, so that Markdown does not turn it into a list item.
  EXPECT_NE(md.find("\n\\* A yes/no attribute"), std::string::npos);
  EXPECT_EQ(json["prompts"][3]["reversal"]["by_presence"], true);
  EXPECT_EQ(json["prompts"][0]["reversal"]["by_presence"], false);
  EXPECT_NE(md.find("What the reconstruction keeps"), std::string::npos);
  EXPECT_EQ(json["reconstruction_kept"].size(), side_effect_attributes().size());
  // Unit directions (or none, where the mask keeps no channel): |cosine| <= 1, symmetric.
  ASSERT_EQ(e.direction_cosines.sizes(), (std::vector<int64_t>{7, 7}));
  EXPECT_TRUE(torch::allclose(e.direction_cosines, e.direction_cosines.t()));
  EXPECT_LE(e.direction_cosines.abs().max().item<double>(), 1.0 + 1e-9);
  EXPECT_EQ(json["direction_cosines"].size(), 7u);
  EXPECT_NE(md.find("Cosine between the prompts' StyleSpace directions"), std::string::npos);
}

TEST(EditEvaluation, ZeroStrengthMovesNothing) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const fs::path bundle = testing::make_fixture_model_bundle(testing::temp_dir("eval_bundle0"));
  engine::EditEngine engine(engine::locate_models(bundle), nets::choose_device("cpu"));
  const fs::path data = testing::temp_dir("eval_data0");
  demo::write_dataset({.out_dir = data, .train_count = 0, .held_out_count = 2, .size = 64, .seed = 2});
  torch::manual_seed(6);
  const AttributePredictor predictor;
  EditEvaluationOptions o;
  o.data_dir = data;
  o.alpha = 0.0;
  o.prompts = {{"face with glasses", "glasses", +1}, {"face with a frown", "smile", -1}};
  const auto e = evaluate_edits(engine, predictor, o);
  ASSERT_EQ(e.prompts.size(), 2u);
  for (const auto& r : e.prompts) {
    EXPECT_EQ(r.right_way_plus, 0.0);  // no change is not the right way
    EXPECT_EQ(r.mean_change_plus, 0.0);
    EXPECT_EQ(r.named_effect, 0.0);
    EXPECT_FALSE(r.passes);
    for (double v : r.other_effects)
      if (!std::isnan(v)) {
        EXPECT_EQ(v, 0.0);
      }
  }

  // The cosines of the prompts' directions: at beta 0 every direction is kept, so the diagonal
  // is 1; a prompt repeated has the same direction; two prompts differ.
  o.threshold = 0.0;
  o.prompts = {{"face with glasses", "glasses", +1}, {"face with glasses", "glasses", +1}, {"face with a frown", "smile", -1}};
  const auto c = evaluate_edits(engine, predictor, o).direction_cosines;
  ASSERT_EQ(c.sizes(), (std::vector<int64_t>{3, 3}));
  EXPECT_TRUE(torch::allclose(c, c.t()));
  EXPECT_TRUE(torch::allclose(c.diagonal(), torch::ones({3}, torch::kDouble)));
  EXPECT_NEAR(c[0][1].item<double>(), 1.0, 1e-9);
  EXPECT_LT(c[0][2].item<double>(), 0.999);

  o.prompts = {{"face with glasses", "hat", +1}};
  EXPECT_THROW(evaluate_edits(engine, predictor, o), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::demo_train
