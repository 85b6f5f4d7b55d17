// Training the mapper on codes of the fixture generator: the validation loss falls, checkpoints
// reload exactly (our reader, the product's loader and Python's torch.load), and a resumed run
// continues bit for bit.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/io/checkpoint_reader.h"
#include "core/io/sha256.h"
#include "core/nets/mapper/delta_mapper.h"
#include "core/train/code_generator.h"
#include "core/train/mapper_trainer.h"
#include "core/train/train_errors.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"
#include "tests/train/train_fixture.h"

namespace {

using namespace deltaedit;
namespace dtest = deltaedit::testing;
namespace fs = std::filesystem;

// `count` sampled codes of the fixture generator in a code folder.
void write_fixture_codes(const fs::path& dir, int64_t count) {
  auto& gen = dtest::fixture_generator();
  auto info = dtest::fixture_code_info(80, count, 2);
  const auto set = train::CodeSet::create_or_resume(dir, info);
  train::generate_sampled_codes(set, gen, dtest::fixture_clip(), 16);
}

// 160 sampled codes of the fixture generator, made once.
const train::TrainingData& fixture_codes() {
  static const train::TrainingData data = [] {
    auto& gen = dtest::fixture_generator();
    auto info = dtest::fixture_code_info(80, 160, 1);
    const auto dir =
        fs::temp_directory_path() / ("deltaedit_train_codes_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    const auto set = train::CodeSet::create_or_resume(dir, info);
    train::generate_sampled_codes(set, gen, dtest::fixture_clip(), 16);
    auto d = train::load_training_data({dir});
    fs::remove_all(dir);
    return d;
  }();
  return data;
}

// Whether any tensor of two state dicts with the same names differs.
bool any_weight_differs(const io::StateDict& a, const io::StateDict& b) {
  for (size_t k = 0; k < a.size(); ++k)
    if (!torch::equal(a.entries()[k].second, b.entries()[k].second)) return true;
  return false;
}

train::TrainOptions small_options() {
  train::TrainOptions o;
  o.batch_size = 16;
  o.learning_rate = 0.5;  // DeltaEdit's default
  o.val_fraction = 0.2;
  o.val_pairs = 256;
  o.val_every = 50;
  o.save_every = 100;
  o.seed = 3;
  return o;
}

std::vector<std::string> lines_of(const fs::path& file) {
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

TEST(MapperTrainer, ValidationLossFallsAndTheCheckpointReloadsExactly) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = dtest::temp_dir("train");
  auto o = small_options();
  o.iterations = 300;
  train::MapperTrainer trainer(fixture_codes(), o, dir / "run");
  EXPECT_EQ(trainer.train_rows(), 128);
  EXPECT_EQ(trainer.validation_rows(), 32);
  const double start = trainer.validate().total;
  std::vector<std::pair<int64_t, double>> curve;
  trainer.train([&](const train::TrainEvent& ev) {
    if (ev.validation) curve.emplace_back(ev.step, ev.validation->total);
  });
  ASSERT_FALSE(curve.empty());
  EXPECT_EQ(curve.front(), std::make_pair(int64_t{0}, start));  // the run's starting point
  std::cout << "[ validation curve ]";
  for (const auto& [step, loss] : curve) std::cout << " " << step << ":" << loss;
  std::cout << "\n";
  ASSERT_EQ(curve.size(), 7u);
  EXPECT_LT(curve.back().second, 0.5 * curve.front().second);
  EXPECT_EQ(lines_of(dir / "run" / "train_log.csv").size(), 1u + 7u);

  // net_face.pth: the official names, order and shapes (the fixture mapper was written by
  // DeltaEdit's own DeltaMapper with these widths), and exactly our weights.
  const auto saved = io::load_state_dict(dir / "run" / "net_face.pth");
  const auto official = io::load_state_dict(dtest::fixture("mapper/mapper.pt"));
  const auto ours = train::mapper_state_dict(*trainer.mapper());
  ASSERT_EQ(saved.size(), official.size());
  for (size_t k = 0; k < saved.size(); ++k) {
    const auto& [name, t] = saved.entries()[k];
    EXPECT_EQ(name, official.entries()[k].first);
    EXPECT_EQ(t.sizes(), official.entries()[k].second.sizes()) << name;
    EXPECT_EQ(t.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::equal(t, ours.entries()[k].second)) << name;
  }
  // The product's loader takes it as it takes net_face.pth, and maps identically.
  auto loaded = nets::load_delta_mapper(dir / "run" / "net_face.pth",
                                        dtest::fixture_generator().net->s_widths(),
                                        nets::choose_device("cpu"));
  torch::NoGradGuard no_grad;
  const auto& d = fixture_codes();
  const auto cond = train::pair_condition(d.c_unit.narrow(0, 0, 4), d.c_unit.narrow(0, 4, 4));
  auto trained = trainer.mapper();
  trained->eval();
  EXPECT_TRUE(torch::equal(loaded.net->forward(d.s.narrow(0, 0, 4), cond),
                           trained->forward(d.s.narrow(0, 0, 4), cond)));
}

TEST(MapperTrainer, PythonTorchLoadReadsTheCheckpoint) {
  DELTAEDIT_REQUIRE_FIXTURES();
  if (std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "/usr/bin/python3 with torch (Debian python3-torch) not found";
  const auto dir = dtest::temp_dir("train");
  auto o = small_options();
  o.iterations = 5;
  train::MapperTrainer trainer(fixture_codes(), o, dir / "run");
  trainer.train();
  // Python prints name, dtype, shape and the SHA-256 of the raw values of every tensor.
  const std::string script =
      "import hashlib, sys, collections, torch\n"
      "sd = torch.load(sys.argv[1], map_location='cpu')\n"
      "assert isinstance(sd, collections.OrderedDict), type(sd)\n"
      "for k, t in sd.items():\n"
      "    print(k, str(t.dtype), list(t.shape), "
      "hashlib.sha256(t.contiguous().numpy().tobytes()).hexdigest())\n";
  std::ofstream(dir / "dump.py") << script;
  const std::string cmd = "/usr/bin/python3 " + (dir / "dump.py").string() + " " +
                          (dir / "run" / "net_face.pth").string() + " > " +
                          (dir / "dump.txt").string() + " 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << dtest::read_text(dir / "dump.txt");
  std::vector<std::string> expected;
  const auto weights = train::mapper_state_dict(*trainer.mapper());
  for (const auto& [name, t] : weights.entries()) {
    std::string shape = "[";
    for (int64_t i = 0; i < t.dim(); ++i) shape += (i ? ", " : "") + std::to_string(t.size(i));
    expected.push_back(name + " torch.float32 " + shape + "] " +
                       io::sha256_hex(t.data_ptr<float>(), t.numel() * sizeof(float)));
  }
  EXPECT_EQ(lines_of(dir / "dump.txt"), expected);
}

TEST(MapperTrainer, ResumedRunContinuesBitForBit) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = dtest::temp_dir("train");
  auto o = small_options();
  o.iterations = 60;
  o.val_every = 20;
  o.save_every = 30;
  {
    train::MapperTrainer straight(fixture_codes(), o, dir / "straight");
    straight.train();
  }
  {
    auto first = o;
    first.iterations = 30;
    train::MapperTrainer part(fixture_codes(), first, dir / "resumed");
    part.train();
    EXPECT_FALSE(part.resumed());
  }
  train::MapperTrainer resumed(fixture_codes(), o, dir / "resumed");
  EXPECT_TRUE(resumed.resumed());
  EXPECT_EQ(resumed.step(), 30);
  resumed.train();
  EXPECT_EQ(resumed.step(), 60);
  const auto a = io::load_state_dict(dir / "straight" / "train_state.pt");
  const auto b = io::load_state_dict(dir / "resumed" / "train_state.pt");
  EXPECT_EQ(a.size(), 1u + 3u * 72u);  // step, weights, two Adam moments per weight
  EXPECT_TRUE(dtest::same_state_dicts(a, b));
  // The log: the first session also validated at its last step (30), so the training-loss
  // window of row 40 is shorter; every validation loss is the same.
  const auto straight_log = lines_of(dir / "straight" / "train_log.csv");
  const auto resumed_log = lines_of(dir / "resumed" / "train_log.csv");
  ASSERT_EQ(straight_log.size(), 5u);
  ASSERT_EQ(resumed_log.size(), 6u);
  const auto val_columns = [](const std::string& row) {
    return row.substr(row.find(',', row.find(',', row.find(',', row.find(',') + 1) + 1) + 1));
  };
  EXPECT_EQ(resumed_log[0], straight_log[0]);  // header
  EXPECT_EQ(resumed_log[1], straight_log[1]);  // step 0
  EXPECT_EQ(resumed_log[2], straight_log[2]);  // step 20
  EXPECT_EQ(resumed_log[3].substr(0, 3), "30,");
  EXPECT_EQ(resumed_log[4].substr(0, 3), "40,");
  EXPECT_EQ(val_columns(resumed_log[4]), val_columns(straight_log[3]));
  EXPECT_EQ(resumed_log[5], straight_log[4]);  // step 60
}

// Counterpart pairs: loaded as pairs (even count, same widths), recorded in the run's settings,
// and used: with paired_fraction 0 the run is the plain one bit for bit, with 1 it differs.
TEST(MapperTrainer, TrainsOnCounterpartPairsWhenGivenThem) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = dtest::temp_dir("train_paired");
  write_fixture_codes(dir / "pairs", 40);
  write_fixture_codes(dir / "odd", 41);
  train::TrainingData paired = fixture_codes();
  train::add_paired_data(paired, dir / "pairs");
  ASSERT_TRUE(paired.pair_s.defined());
  EXPECT_EQ(paired.pair_s.size(0), 40);
  EXPECT_NE(paired.fingerprint, fixture_codes().fingerprint);
  // A second folder's pairs follow the first's, and the data is another (no resume across).
  train::TrainingData twice = paired;
  train::add_paired_data(twice, dir / "pairs");
  ASSERT_EQ(twice.pair_s.size(0), 80);
  EXPECT_TRUE(torch::equal(twice.pair_s.narrow(0, 40, 40), paired.pair_s));
  EXPECT_TRUE(torch::equal(twice.pair_c_unit.narrow(0, 0, 40), paired.pair_c_unit));
  EXPECT_NE(twice.fingerprint, paired.fingerprint);
  train::TrainingData odd = fixture_codes();
  try {
    train::add_paired_data(odd, dir / "odd");
    ADD_FAILURE() << "an odd number of codes was taken as pairs";
  } catch (const train::DataFileError& e) {
    EXPECT_NE(std::string(e.what()).find("odd"), std::string::npos) << e.what();
  }

  auto o = small_options();
  o.iterations = 20;
  o.val_every = 20;
  train::MapperTrainer(fixture_codes(), o, dir / "plain").train();
  o.paired_fraction = 0.0;
  train::MapperTrainer(paired, o, dir / "none").train();
  o.paired_fraction = 1.0;
  train::MapperTrainer(paired, o, dir / "all").train();
  const auto plain = io::load_state_dict(dir / "plain" / "net_face.pth");
  const auto none = io::load_state_dict(dir / "none" / "net_face.pth");
  const auto all = io::load_state_dict(dir / "all" / "net_face.pth");
  for (size_t k = 0; k < plain.size(); ++k)
    EXPECT_TRUE(torch::equal(plain.entries()[k].second, none.entries()[k].second)) << plain.entries()[k].first;
  EXPECT_TRUE(any_weight_differs(plain, all));
  const auto settings = dtest::read_text(dir / "all" / "train_options.json");
  EXPECT_NE(settings.find("\"paired_rows\": 40"), std::string::npos) << settings;
  // The plain run's folder is not resumed with pairs.
  EXPECT_THROW(train::MapperTrainer(paired, o, dir / "plain"), train::OutputConflict);
}

TEST(MapperTrainer, ForeignOrMismatchedRunFoldersAreRefused) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = dtest::temp_dir("train");
  auto o = small_options();
  o.iterations = 2;
  train::MapperTrainer(fixture_codes(), o, dir / "run").train();
  auto other = o;
  other.learning_rate = 0.02;
  try {
    train::MapperTrainer(fixture_codes(), other, dir / "run");
    ADD_FAILURE() << "resumed with another learning rate";
  } catch (const train::OutputConflict& e) {
    EXPECT_NE(std::string(e.what()).find("learning_rate"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("train_options.json"), std::string::npos) << e.what();
  }
  fs::create_directories(dir / "busy");
  std::ofstream(dir / "busy" / "x") << "x";
  EXPECT_THROW(train::MapperTrainer(fixture_codes(), o, dir / "busy"), train::OutputConflict);
  // A damaged resume state is named.
  std::ofstream(dir / "run" / "train_state.pt") << "PK garbage";
  try {
    train::MapperTrainer(fixture_codes(), o, dir / "run");
    ADD_FAILURE() << "loaded a damaged state";
  } catch (const train::DataFileError& e) {
    EXPECT_NE(std::string(e.what()).find("train_state.pt"), std::string::npos) << e.what();
  }
  // More iterations than codes allow is fine; too few codes is not.
  train::TrainingData tiny = fixture_codes();
  tiny.s = tiny.s.narrow(0, 0, 3);
  tiny.c_unit = tiny.c_unit.narrow(0, 0, 3);
  EXPECT_THROW(train::MapperTrainer(tiny, o, dir / "tiny"), std::invalid_argument);
}

TEST(MapperTrainer, ConfigFollowsTheGeneratorAndRejectsOddLayouts) {
  const auto cfg = train::mapper_config_for({64, 64, 64, 64, 64, 64, 64, 64, 32}, 64);
  EXPECT_EQ(cfg.style_width, 64);
  EXPECT_EQ(cfg.fine_dim, 96);
  EXPECT_EQ(cfg.condition_dim, 128);
  EXPECT_EQ(cfg.depth, 4);
  std::vector<int64_t> ffhq(10, 512);
  for (int64_t w : {256, 256, 128, 128, 64, 64, 32}) ffhq.push_back(w);
  const auto full = train::mapper_config_for(ffhq, 512);
  EXPECT_EQ(full.fine_dim, 2464);
  EXPECT_EQ(full.sspace_dim(), 6048);
  EXPECT_THROW(train::mapper_config_for({64, 64, 64, 64, 64, 64, 64}, 64), std::invalid_argument);
  EXPECT_THROW(train::mapper_config_for({64, 64, 32, 64, 64, 64, 64, 64}, 64),
               std::invalid_argument);
}

// Delta noise: recorded in the run's settings (so a resume cannot change it) and used (the
// weights differ from a clean run's); out-of-range values are refused.
TEST(MapperTrainer, DeltaNoiseIsRecordedAndChangesTheRun) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = dtest::temp_dir("train_noise");
  auto o = small_options();
  o.iterations = 20;
  o.val_every = 20;
  train::MapperTrainer(fixture_codes(), o, dir / "clean").train();
  o.delta_noise = 1.0;
  train::MapperTrainer(fixture_codes(), o, dir / "noisy").train();
  const auto clean = io::load_state_dict(dir / "clean" / "net_face.pth");
  const auto noisy = io::load_state_dict(dir / "noisy" / "net_face.pth");
  EXPECT_TRUE(any_weight_differs(clean, noisy));
  const auto settings = dtest::read_text(dir / "noisy" / "train_options.json");
  EXPECT_NE(settings.find("\"delta_noise\": 1.0"), std::string::npos) << settings;
  EXPECT_EQ(dtest::read_text(dir / "clean" / "train_options.json").find("delta_noise"), std::string::npos);
  EXPECT_THROW(train::MapperTrainer(fixture_codes(), o, dir / "clean"), train::OutputConflict);
  o.delta_noise = -0.5;
  EXPECT_THROW(train::MapperTrainer(fixture_codes(), o, dir / "bad"), std::invalid_argument);
}

}  // namespace
