// The attribute predictor: its scores, its file round trip, and that a short training run on a
// small rendered dataset reads the attributes far better than chance.
#include <cmath>
#include <map>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/demo/demo_dataset.h"
#include "core/demo_train/attribute_predictor.h"
#include "core/demo_train/predictor_training.h"
#include "core/io/checkpoint_writer.h"
#include "tests/support/fixtures.h"

namespace deltaedit::demo_train {
namespace {

namespace fs = std::filesystem;

// A small dataset shared by the tests of this file (rendering takes a few seconds).
const fs::path& small_dataset() {
  static const fs::path dir = [] {
    const fs::path d = testing::temp_dir("predictor_data");
    demo::write_dataset({.out_dir = d, .train_count = 1200, .held_out_count = 300, .size = 64, .seed = 7});
    return d;
  }();
  return dir;
}

// A network whose batch-norm statistics are not the defaults.
AttributeNet used_net() {
  torch::manual_seed(11);
  AttributeNet net;
  net->train();
  for (int i = 0; i < 3; ++i) net->forward(torch::rand({8, 3, 64, 64}));
  net->eval();
  return net;
}

TEST(AttributeScores, LogOddsAgreeWithTheProbabilities) {
  torch::manual_seed(1);
  const auto p = split_outputs(torch::randn({5, kPredictorOutputs}) * 3);
  const auto s = scores_of(p);
  ASSERT_EQ(s.values.sizes(), (std::vector<int64_t>{5, static_cast<int64_t>(score_names().size())}));
  const auto v = s.values.to(torch::kDouble), g = s.signals.to(torch::kDouble);
  // Regressions pass through; probabilities are sigmoid / softmax; signals are log(p / (1 - p)).
  EXPECT_TRUE(torch::equal(s.values.narrow(1, 0, 4), p.regression));
  EXPECT_TRUE(torch::allclose(v.narrow(1, 4, 15), torch::sigmoid(g.narrow(1, 4, 15)), 1e-5, 1e-6));
  EXPECT_TRUE(torch::allclose(s.values.select(1, score_index("glasses")), torch::sigmoid(p.glasses_logit)));
  EXPECT_TRUE(torch::allclose(v.narrow(1, 6, 6).sum(1), torch::ones({5}, torch::kDouble), 1e-5));
  EXPECT_TRUE(torch::allclose(v.narrow(1, 12, 7).sum(1), torch::ones({5}, torch::kDouble), 1e-5));
  EXPECT_EQ(score_names()[static_cast<size_t>(score_index("hair_blond"))], "hair_blond");
  EXPECT_EQ(score_index("background_orange"), 18);
  EXPECT_THROW(score_index("hat"), std::invalid_argument);
}

TEST(AttributeScores, PresenceScoresAreTheProbabilitiesNotTheRegressions) {
  for (const char* name : {"smile", "hair_length", "skin_tone", "eye_size"})
    EXPECT_FALSE(is_presence_score(score_index(name))) << name;
  for (const char* name : {"glasses", "beard", "hair_blond", "hair_black", "background_white", "background_orange"})
    EXPECT_TRUE(is_presence_score(score_index(name))) << name;
  EXPECT_THROW(is_presence_score(-1), std::out_of_range);
  EXPECT_THROW(is_presence_score(static_cast<int64_t>(score_names().size())), std::out_of_range);
}

TEST(AttributePredictor, AcceptsUint8AndFloatImagesAlike) {
  const AttributePredictor predictor(used_net());
  torch::manual_seed(2);
  const auto rgb8 = torch::randint(0, 256, {3, 64, 64, 3}, torch::kUInt8);
  const auto as_float = rgb8.permute({0, 3, 1, 2}).to(torch::kFloat32) / 255.0;
  const auto a = predictor.scores(rgb8).values, b = predictor.scores(as_float).values;
  EXPECT_TRUE(torch::allclose(a, b, 1e-5, 1e-6));
  // A 128 px picture is reduced to 64 first.
  EXPECT_EQ(predictor.scores(torch::rand({2, 3, 128, 128})).values.size(0), 2);
  EXPECT_THROW(predictor.predict(torch::rand({2, 4, 64, 64})), std::invalid_argument);
}

TEST(AttributePredictor, SavedFileLoadsBackWithIdenticalPredictions) {
  const auto net = used_net();
  const fs::path file = testing::temp_dir("predictor_io") / "predictor.pt";
  save_attribute_predictor(file, net);
  const auto loaded = load_attribute_predictor(file);
  torch::manual_seed(3);
  const auto x = torch::rand({6, 3, 64, 64});
  const auto a = AttributePredictor(net).predict(x), b = loaded.predict(x);
  EXPECT_TRUE(torch::equal(a.regression, b.regression));
  EXPECT_TRUE(torch::equal(a.hair_logits, b.hair_logits));
  EXPECT_TRUE(torch::equal(a.glasses_logit, b.glasses_logit));
  // A file of another network is refused, naming the file.
  io::StateDict other;
  other.add("fc.weight", torch::zeros({2, 2}));
  const fs::path bad = file.parent_path() / "bad.pt";
  io::save_state_dict(bad, other);
  try {
    load_attribute_predictor(bad);
    FAIL() << "a wrong file was accepted";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("bad.pt"), std::string::npos) << e.what();
  }
}

TEST(AttributePredictor, ReadsHeldOutAttributesFarBetterThanChanceAfterAShortRun) {
  const fs::path out = testing::temp_dir("predictor_train") / "predictor.pt";
  PredictorTrainingOptions o;
  o.data_dir = small_dataset();
  o.out = out;
  o.steps = 120;
  o.batch = 32;
  o.checkpoint_every = 50;
  std::vector<double> losses;
  const auto r = train_attribute_predictor(o, [&](int64_t, int64_t, double loss) { losses.push_back(loss); });
  ASSERT_EQ(losses.size(), 120u);
  EXPECT_FALSE(r.kept);
  EXPECT_LT(r.last_loss, 0.7 * losses.front());
  EXPECT_TRUE(fs::exists(out));
  EXPECT_FALSE(fs::exists(out.string() + ".partial"));
  std::map<std::string, double> m(r.held_out.begin(), r.held_out.end());
  EXPECT_EQ(r.held_out_count, 300);
  // Chance: 1/7 backgrounds, 1/6 hair colours, correlation 0.
  EXPECT_GT(m["background_accuracy"], 0.6) << format_metrics(r.held_out);
  EXPECT_GT(m["hair_colour_accuracy"], 0.4) << format_metrics(r.held_out);
  EXPECT_GT(m["skin_tone_corr"], 0.5) << format_metrics(r.held_out);
  // The saved file is the trained network: a rerun keeps it and measures the same.
  const auto again = train_attribute_predictor(o);
  EXPECT_TRUE(again.kept);
  for (size_t i = 0; i < r.held_out.size(); ++i)
    EXPECT_NEAR(again.held_out[i].second, r.held_out[i].second, 1e-9) << r.held_out[i].first;
}

TEST(AttributePredictor, ResumesFromItsCheckpoint) {
  const fs::path dir = testing::temp_dir("predictor_resume");
  PredictorTrainingOptions o;
  o.data_dir = small_dataset();
  o.max_held_out = 20;
  o.steps = 6;
  o.batch = 8;
  o.checkpoint_every = 3;
  // Interrupted after step 3 (the progress callback throws), then rerun to the end.
  o.out = dir / "resumed.pt";
  EXPECT_THROW(train_attribute_predictor(o, [](int64_t step, int64_t, double) {
                 if (step == 4) throw std::runtime_error("interrupted");
               }),
               std::runtime_error);
  ASSERT_TRUE(fs::exists(o.out.string() + ".partial"));
  const auto resumed = train_attribute_predictor(o);
  EXPECT_EQ(resumed.first_step, 3);
  o.out = dir / "straight.pt";
  train_attribute_predictor(o);
  const auto a = load_attribute_predictor(dir / "resumed.pt"), b = load_attribute_predictor(dir / "straight.pt");
  const auto x = torch::rand({4, 3, 64, 64});
  EXPECT_TRUE(torch::allclose(a.predict(x).regression, b.predict(x).regression, 1e-4, 1e-5));
}

TEST(DemoImages, BadDatasetIsReportedWithTheFile) {
  const fs::path dir = testing::temp_dir("predictor_missing");
  EXPECT_THROW(load_demo_images(dir, demo::Split::kTrain), demo::DatasetError);
  const auto d = load_demo_images(small_dataset(), demo::Split::kHeldOut, 5);
  ASSERT_EQ(d.size(), 5);
  EXPECT_EQ(d.images.sizes(), (std::vector<int64_t>{5, 64, 64, 3}));
  EXPECT_EQ(d.files[0].filename(), "000000.png");
  EXPECT_EQ(d.files[0].parent_path().filename(), "heldout");
  // The same attributes as the dataset's generator drew.
  EXPECT_NEAR(d.attributes[4].smile, demo::dataset_attributes(7, demo::Split::kHeldOut, 4).smile, 1e-3);
}

}  // namespace
}  // namespace deltaedit::demo_train
