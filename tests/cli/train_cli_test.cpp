// The training commands run as a user would: generate codes, train a mapper, use it in the
// editor, compute a relevance matrix; resumption and clear errors with documented exit codes.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>

#include "core/io/npy.h"
#include "tests/cli/run_cli.h"
#include "tests/support/fixture_bundle.h"
#include "tests/support/fixtures.h"

namespace {

namespace fs = std::filesystem;
using deltaedit::testing::fixture;

using deltaedit::testing::contains;
using Run = deltaedit::testing::CliRun;

// DELTAEDIT_THREADS=1 (the tests run in parallel) and without --quiet, so the progress lines are
// checked too.
Run deltaedit(const std::vector<std::string>& args) {
  return deltaedit::testing::run_cli(args, "DELTAEDIT_THREADS=1", /*quiet=*/false);
}

class TrainCli : public ::testing::Test {
 protected:
  void SetUp() override {
    DELTAEDIT_REQUIRE_FIXTURES();
    dir_ = deltaedit::testing::temp_dir("train_cli");
    models_ = deltaedit::testing::make_fixture_model_bundle(dir_ / "models");
  }
  std::vector<std::string> generate_args(const fs::path& out, const std::string& count) {
    return {"generate-codes",
            "-o",
            out.string(),
            "--count",
            count,
            "--shard-size",
            "16",
            "--batch",
            "8",
            "--seed",
            "5",
            "--models",
            models_.string(),
            "--device",
            "cpu"};
  }
  fs::path dir_, models_;
};

TEST_F(TrainCli, GenerateTrainAndEditWithTheTrainedMapper) {
  const fs::path codes = dir_ / "codes";
  auto gen = deltaedit(generate_args(codes, "40"));
  ASSERT_EQ(gen.code, 0) << gen.output;
  EXPECT_TRUE(contains(gen.output, "codes/s")) << gen.output;
  const auto s = deltaedit::io::load_npy(codes / "shard_00002.s.npy");
  EXPECT_EQ(s.sizes(), (std::vector<int64_t>{8, 544}));
  EXPECT_EQ(deltaedit::io::load_npy(codes / "shard_00000.clip.npy").sizes(),
            (std::vector<int64_t>{16, 64}));
  EXPECT_EQ(deltaedit::io::load_npy(codes / "shard_00000.wplus.npy").sizes(),
            (std::vector<int64_t>{16, 10, 64}));
  EXPECT_TRUE(contains(deltaedit::testing::read_text(codes / "meta.json"), "\"s_dim\": 544"));
  // Rerunning the finished command changes nothing.
  const auto before = deltaedit::testing::read_text(codes / "shard_00001.s.npy");
  auto again = deltaedit(generate_args(codes, "40"));
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "resuming")) << again.output;
  EXPECT_EQ(deltaedit::testing::read_text(codes / "shard_00001.s.npy"), before);
  // Other settings into the same folder are refused.
  auto other = generate_args(codes, "40");
  other[10] = "6";  // --seed
  auto refused = deltaedit(other);
  EXPECT_EQ(refused.code, 5) << refused.output;
  EXPECT_TRUE(contains(refused.output, "meta.json")) << refused.output;
  EXPECT_TRUE(contains(refused.output, "seed")) << refused.output;

  const fs::path run = dir_ / "run";
  auto train = deltaedit({"train-mapper", codes.string(), "-o", run.string(), "--iterations", "20",
                          "--batch", "8", "--lr", "0.01", "--val-fraction", "0.2", "--val-every",
                          "10", "--device", "cpu"});
  ASSERT_EQ(train.code, 0) << train.output;
  EXPECT_TRUE(contains(train.output, "steps/s")) << train.output;
  EXPECT_TRUE(contains(train.output, "step 20/20")) << train.output;
  EXPECT_TRUE(fs::exists(run / "net_face.pth"));
  const auto log = deltaedit::testing::read_text(run / "train_log.csv");
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 4);  // header + steps 0, 10, 20
  // More iterations continue the run.
  auto more = deltaedit({"train-mapper", codes.string(), "-o", run.string(), "--iterations", "30",
                         "--batch", "8", "--lr", "0.01", "--val-fraction", "0.2", "--val-every",
                         "10", "--device", "cpu"});
  ASSERT_EQ(more.code, 0) << more.output;
  EXPECT_TRUE(contains(more.output, "at step 20")) << more.output;
  EXPECT_TRUE(contains(more.output, "step 30/30")) << more.output;

  // The editor runs with the trained mapper in place of the bundle's.
  fs::remove(models_ / "mapper.pt");
  fs::copy_file(run / "net_face.pth", models_ / "mapper.pt");
  auto edit = deltaedit({"edit", fixture("e4e/input.png").string(), "--aligned", "--target",
                         "face with smile", "--models", models_.string(), "--device", "cpu", "-o",
                         (dir_ / "out.png").string()});
  EXPECT_EQ(edit.code, 0) << edit.output;
  EXPECT_TRUE(fs::exists(dir_ / "out.png"));
}

// Latent counterpart pairs for train-mapper --paired, which takes several such folders.
TEST_F(TrainCli, DemoCounterpartCodesPairUpAndTrainTheMapper) {
  const fs::path codes = dir_ / "codes", pairs = dir_ / "pairs";
  ASSERT_EQ(deltaedit(generate_args(codes, "32")).code, 0);
  auto pair_args = generate_args(pairs, "16");
  pair_args.push_back("--demo-counterparts");
  auto made = deltaedit(pair_args);
  ASSERT_EQ(made.code, 0) << made.output;
  EXPECT_TRUE(contains(deltaedit::testing::read_text(pairs / "meta.json"), "\"pairing\": \"demo-latent-counterparts\""));
  const auto s = deltaedit::io::load_npy(pairs / "shard_00000.s.npy");
  ASSERT_EQ(s.size(0), 16);
  for (int64_t k = 0; k < 8; ++k)  // each twin is another code
    EXPECT_FALSE(torch::allclose(s[2 * k], s[2 * k + 1])) << "pair " << k;
  // Not the codes of the same seed without pairs.
  EXPECT_FALSE(torch::allclose(s.narrow(0, 0, 2), deltaedit::io::load_npy(codes / "shard_00000.s.npy").narrow(0, 0, 2)));

  const fs::path run = dir_ / "run";
  auto train = deltaedit({"train-mapper", codes.string(), "-o", run.string(), "--iterations", "10", "--batch", "8",
                          "--val-fraction", "0.2", "--paired", pairs.string(), "--paired", pairs.string(),
                          "--paired-fraction", "0.5", "--delta-noise", "0.5", "--device", "cpu"});
  ASSERT_EQ(train.code, 0) << train.output;
  const auto settings = deltaedit::testing::read_text(run / "train_options.json");
  EXPECT_TRUE(contains(settings, "\"paired_rows\": 32")) << settings;
  EXPECT_TRUE(contains(settings, "\"delta_noise\": 0.5")) << settings;
  auto noisy = deltaedit({"train-mapper", codes.string(), "-o", (dir_ / "run2").string(), "--iterations", "10",
                          "--delta-noise", "-1", "--device", "cpu"});
  EXPECT_EQ(noisy.code, 2) << noisy.output;
  EXPECT_TRUE(contains(noisy.output, "--delta-noise")) << noisy.output;

  auto odd = generate_args(dir_ / "odd", "15");
  odd.push_back("--demo-counterparts");
  auto refused = deltaedit(odd);
  EXPECT_EQ(refused.code, 2) << refused.output;
  EXPECT_TRUE(contains(refused.output, "even")) << refused.output;
  auto photos = deltaedit({"generate-codes", "-o", (dir_ / "p").string(), "--images", dir_.string(),
                           "--demo-counterparts", "--models", models_.string()});
  EXPECT_EQ(photos.code, 2) << photos.output;
}

TEST_F(TrainCli, CodesFromAlignedPhotos) {
  fs::create_directories(dir_ / "photos");
  fs::copy_file(fixture("e4e/input.png"), dir_ / "photos" / "one.png");
  fs::copy_file(fixture("e4e/input_1024.png"), dir_ / "photos" / "two.png");
  auto r = deltaedit({"generate-codes", "--images", (dir_ / "photos").string(), "--aligned", "-o",
                      (dir_ / "codes").string(), "--models", models_.string(), "--device", "cpu"});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(deltaedit::io::load_npy(dir_ / "codes" / "shard_00000.s.npy").sizes(),
            (std::vector<int64_t>{2, 544}));
  EXPECT_EQ(deltaedit::testing::read_text(dir_ / "codes" / "shard_00000.names.txt"),
            "one.png\ntwo.png\n");
  auto bad = deltaedit({"generate-codes", "--images", (dir_ / "photos").string(), "--count", "3",
                        "-o", (dir_ / "codes2").string(), "--models", models_.string()});
  EXPECT_EQ(bad.code, 2) << bad.output;
}

TEST_F(TrainCli, RelevanceMatrixForTheFixtureModels) {
  const fs::path out = dir_ / "fs3.npy";
  auto r = deltaedit({"relevance", "-o", out.string(), "--num-images", "1", "--stats-samples", "32",
                      "--chunk", "272", "--batch", "16", "--models", models_.string(), "--device",
                      "cpu"});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "channels/s")) << r.output;
  const auto fs3 = deltaedit::io::load_npy(out);
  ASSERT_EQ(fs3.sizes(), (std::vector<int64_t>{544, 64}));
  const auto norms = fs3.norm(2, 1);
  EXPECT_TRUE(((norms - 1).abs() < 1e-5).logical_or(norms == 0).all().item<bool>());
  EXPECT_FALSE(fs::exists(dir_ / "fs3.npy.parts"));
  auto exists = deltaedit({"relevance", "-o", out.string(), "--models", models_.string()});
  EXPECT_EQ(exists.code, 5) << exists.output;
  EXPECT_TRUE(contains(exists.output, "--overwrite")) << exists.output;
}

TEST_F(TrainCli, BadInputsFailWithTheFileNamed) {
  // A missing code folder, a damaged shard, a bad number, a foreign output folder.
  auto missing =
      deltaedit({"train-mapper", (dir_ / "nothere").string(), "-o", (dir_ / "run").string()});
  EXPECT_EQ(missing.code, 4) << missing.output;
  EXPECT_TRUE(contains(missing.output, "nothere")) << missing.output;

  const fs::path codes = dir_ / "codes";
  ASSERT_EQ(deltaedit(generate_args(codes, "20")).code, 0);
  const fs::path shard = codes / "shard_00001.clip.npy";
  fs::resize_file(shard, fs::file_size(shard) / 2);
  auto damaged = deltaedit({"train-mapper", codes.string(), "-o", (dir_ / "run").string()});
  EXPECT_EQ(damaged.code, 4) << damaged.output;
  EXPECT_TRUE(contains(damaged.output, "shard_00001.clip.npy")) << damaged.output;
  EXPECT_FALSE(fs::exists(dir_ / "run"));

  auto count = deltaedit(generate_args(dir_ / "c2", "ten"));
  EXPECT_EQ(count.code, 2) << count.output;
  auto zero = deltaedit(generate_args(dir_ / "c3", "0"));
  EXPECT_EQ(zero.code, 2) << zero.output;
  auto no_out = deltaedit({"relevance", "--models", models_.string()});
  EXPECT_EQ(no_out.code, 2) << no_out.output;

  fs::create_directories(dir_ / "busy");
  std::ofstream(dir_ / "busy" / "keep.txt") << "mine";
  auto busy = deltaedit(generate_args(dir_ / "busy", "4"));
  EXPECT_EQ(busy.code, 5) << busy.output;
  EXPECT_EQ(deltaedit::testing::read_text(dir_ / "busy" / "keep.txt"), "mine");

  auto no_generator = deltaedit({"generate-codes", "-o", (dir_ / "c4").string(), "--generator",
                                 (dir_ / "missing.pt").string(), "--models", models_.string()});
  EXPECT_EQ(no_generator.code, 3) << no_generator.output;
  EXPECT_TRUE(contains(no_generator.output, "missing.pt")) << no_generator.output;
}

}  // namespace
