// Choosing the demo bundle's beta: the score's ranking rules, and the sweep on the fixture models
// (random networks: the mechanics, the split it reads, and that the chosen value has the best
// score).
#include <algorithm>
#include <cmath>
#include <limits>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/demo/demo_dataset.h"
#include "core/demo_train/threshold_calibration.h"
#include "tests/support/fixture_bundle.h"
#include "tests/support/fixtures.h"

namespace deltaedit::demo_train {
namespace {

namespace fs = std::filesystem;

PromptEvaluation prompt(double plus, double minus, double ratio, bool passes) {
  PromptEvaluation p;
  p.right_way_plus = plus;
  p.reversal.all = minus;  // a regression's reversal: over all images
  p.worst_other_ratio = ratio;
  p.passes = passes;
  return p;
}

TEST(CalibrationScore, PassesFirstThenTheWeakerDirectionPenalisedBySideEffects) {
  EditEvaluation e;
  e.prompts = {prompt(0.9, 0.6, 0.2, false), prompt(0.5, 0.7, 1.0, false)};
  // min(0.9, 0.6) = 0.6 unpenalised; min(0.5, 0.7) = 0.5 scaled by 0.5 / 1.0.
  EXPECT_NEAR(calibration_score(e, 0.5), 0.999 * (0.6 + 0.25) / 2, 1e-12);
  // Nothing else moved (NaN ratio): no penalty; an edit that moved only other things: zero.
  e.prompts = {prompt(0.8, 0.8, std::numeric_limits<double>::quiet_NaN(), false),
               prompt(0.4, 0.9, std::numeric_limits<double>::infinity(), false)};
  EXPECT_NEAR(calibration_score(e, 0.5), 0.999 * 0.8 / 2, 1e-12);
  // One passing prompt beats any amount of near misses.
  EditEvaluation near_misses, one_pass;
  near_misses.prompts = {prompt(0.79, 0.79, 0.1, false), prompt(0.79, 0.79, 0.1, false)};
  one_pass.prompts = {prompt(0.8, 0.8, 0.1, true), prompt(0.0, 0.0, 0.1, false)};
  EXPECT_GT(calibration_score(one_pass, 0.5), calibration_score(near_misses, 0.5));
  EXPECT_EQ(calibration_score(EditEvaluation{}, 0.5), 0.0);
}

TEST(CalibrationGrid, StartsUnmaskedAndIncreasesWithAtMostThreeDecimals) {
  const auto grid = default_threshold_grid();
  ASSERT_GE(grid.size(), 4u);
  EXPECT_EQ(grid.front(), 0.0);
  EXPECT_TRUE(std::is_sorted(grid.begin(), grid.end()));
  EXPECT_GE(grid.back(), 0.03);  // DeltaEdit's own default is a candidate
  for (double b : grid) EXPECT_NEAR(b * 1000, std::round(b * 1000), 1e-9) << b;
}

TEST(ThresholdCalibration, SweepsTheGridOnTrainingPortraitsAndKeepsTheBestScore) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const fs::path bundle = testing::make_fixture_model_bundle(testing::temp_dir("calib_bundle"));
  engine::EditEngine engine(engine::locate_models(bundle), nets::choose_device("cpu"));
  const fs::path data = testing::temp_dir("calib_data");
  // Training portraits only: a calibration that read the held-out split would fail here.
  demo::write_dataset({.out_dir = data, .train_count = 2, .held_out_count = 0, .size = 64, .seed = 3});
  torch::manual_seed(7);
  const AttributePredictor predictor;
  EditEvaluationOptions o;
  o.data_dir = data;
  o.split = demo::Split::kTrain;
  o.prompts = {{"face with a smile", "smile", +1}, {"face with glasses", "glasses", +1}};
  const std::vector<double> grid = {0.0, 1.0};  // 1: every channel masked, so nothing moves
  int64_t last_done = 0, last_total = 0;
  const auto c = calibrate_threshold(engine, predictor, o, grid, [&](int64_t done, int64_t total) {
    EXPECT_EQ(done, last_done + 1);
    last_done = done;
    last_total = total;
  });
  EXPECT_EQ(last_total, 4);  // 2 images x 2 candidates
  EXPECT_EQ(last_done, 4);
  ASSERT_EQ(c.candidates.size(), 2u);
  ASSERT_EQ(c.scores.size(), 2u);
  EXPECT_EQ(c.candidates[0].threshold, 0.0);
  EXPECT_EQ(c.candidates[1].threshold, 1.0);
  for (const auto& e : c.candidates) EXPECT_EQ(e.split, demo::Split::kTrain);
  for (const auto& p : c.candidates[1].prompts) EXPECT_EQ(p.right_way_plus, 0.0);  // fully masked
  EXPECT_EQ(c.scores[1], 0.0);
  EXPECT_EQ(c.best_threshold, c.scores[0] > c.scores[1] ? 0.0 : 1.0);
  const auto j = to_json(c);
  EXPECT_EQ(j["threshold"].get<double>(), c.best_threshold);
  ASSERT_EQ(j["candidates"].size(), 2u);
  EXPECT_EQ(j["candidates"][0]["evaluation"]["split"], "train");
  EXPECT_NE(to_markdown(c).find("(chosen)"), std::string::npos);

  o.split = demo::Split::kHeldOut;  // there is none
  EXPECT_THROW(calibrate_threshold(engine, predictor, o, grid), demo::DatasetError);
  EXPECT_THROW(calibrate_threshold(engine, predictor, o, {}), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::demo_train
