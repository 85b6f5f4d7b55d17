// `deltaedit demo build --quick` runs every stage of the demo bundle (tiny step counts), and the
// bundle it writes is a model folder that `models check` accepts and `edit` edits with.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/io/sha256.h"
#include "tests/cli/run_cli.h"
#include "tests/support/fixtures.h"

namespace deltaedit {
namespace {

namespace fs = std::filesystem;
using testing::contains;
using testing::run_cli;

TEST(DemoBuildCli, QuickBuildMakesAWorkingBundleAndResumes) {
  const fs::path dir = testing::temp_dir("demo_build");
  const fs::path bundle = dir / "bundle", work = dir / "work";
  const auto build = run_cli({"demo", "build", "--quick", "--out", bundle.string(), "--work",
                              work.string()}, "DELTAEDIT_THREADS=2", /*quiet=*/true);
  ASSERT_EQ(build.code, 0) << build.output;
  for (const char* f : {"generator.pt", "e4e.pt", "net_face.pth", "clip.pt", "bpe_vocab.txt.gz",
                        "fs3.npy", "manifest.json", "build.json", "sample.png", "calibration.md",
                        "calibration.json", "evaluation.md", "evaluation.json"})
    EXPECT_TRUE(fs::exists(bundle / f)) << f;
  // The beta chosen on training portraits becomes the bundle's default, and the evaluation uses it.
  const auto manifest = nlohmann::json::parse(std::ifstream(bundle / "manifest.json"));
  const auto calibration = nlohmann::json::parse(std::ifstream(bundle / "calibration.json"));
  ASSERT_TRUE(manifest.contains("defaults")) << manifest.dump();
  EXPECT_EQ(manifest["defaults"]["threshold"], calibration["threshold"]);
  EXPECT_EQ(calibration["candidates"].size(), 8u);
  EXPECT_EQ(calibration["candidates"][0]["evaluation"]["split"], "train");
  const auto evaluation = nlohmann::json::parse(std::ifstream(bundle / "evaluation.json"));
  EXPECT_EQ(evaluation["threshold"], calibration["threshold"]);
  EXPECT_EQ(evaluation["split"], "heldout");
  const auto record = nlohmann::json::parse(std::ifstream(bundle / "build.json"));
  EXPECT_EQ(record["plan"]["generator_steps"], 20);
  EXPECT_EQ(record["plan"]["clip_pair_steps"], 4);
  const auto tuned = nlohmann::json::parse(std::ifstream(work / "clip-pairs" / "clip_train.json"));
  EXPECT_EQ(tuned["pair_fraction"], 0.5);
  EXPECT_EQ(tuned["delta_weight"], 1.0);
  // ... then with the delta-separation loss, and that CLIP is the bundle's.
  const auto separated = nlohmann::json::parse(std::ifstream(work / "clip-separate" / "clip_train.json"));
  EXPECT_EQ(separated["delta_separation"], 1.0);
  EXPECT_EQ(record["plan"]["clip_separate_steps"], 4);
  EXPECT_NE(io::sha256_file(work / "clip-pairs" / "clip.pt"), io::sha256_file(work / "clip-separate" / "clip.pt"));
  // ... then with "face" on one side of the captions that name the attribute on both, and
  // that CLIP is the bundle's.
  const auto neutral = nlohmann::json::parse(std::ifstream(work / "clip-neutral" / "clip_train.json"));
  EXPECT_EQ(neutral["neutral_source"], 1.0);
  EXPECT_EQ(neutral["delta_separation"], 1.0);
  EXPECT_EQ(record["plan"]["clip_neutral_steps"], 4);
  EXPECT_EQ(io::sha256_file(bundle / "clip.pt"), io::sha256_file(work / "clip-neutral" / "clip.pt"));
  EXPECT_NE(io::sha256_file(work / "clip-separate" / "clip.pt"), io::sha256_file(work / "clip-neutral" / "clip.pt"));
  EXPECT_EQ(record["plan"]["counterpart_pairs"], 8);
  // The mapper's pairs: e4e's inversions of counterpart portraits and the generator's own.
  EXPECT_EQ(record["plan"]["latent_pair_codes"], 16);
  EXPECT_EQ(record["plan"]["paired_fraction"], 0.35);
  // ... trained on noisy deltas.
  EXPECT_EQ(record["plan"]["delta_noise"], 0.5);
  const auto mapper_settings = nlohmann::json::parse(std::ifstream(work / "mapper" / "train_options.json"));
  EXPECT_EQ(mapper_settings["settings"]["delta_noise"], 0.5);
  const auto latent_pairs = nlohmann::json::parse(std::ifstream(work / "codes-latent-pairs" / "meta.json"));
  EXPECT_EQ(latent_pairs["count"], 16);
  EXPECT_EQ(latent_pairs["pairing"], "demo-latent-counterparts");
  // The bundle's generator is the fine-tuned one.
  EXPECT_EQ(record["plan"]["generator_region_steps"], 10);
  EXPECT_EQ(record["plan"]["generator_colour_steps"], 10);
  EXPECT_EQ(record["plan"]["torgb_mix"], 0.5);
  EXPECT_EQ(record["plan"]["generator_mouth_steps"], 10);
  EXPECT_EQ(record["plan"]["mouth_attribute_weight"], 20);
  EXPECT_EQ(io::sha256_file(bundle / "generator.pt"), io::sha256_file(work / "generator-mouth.pt"));
  EXPECT_NE(io::sha256_file(work / "generator.pt"), io::sha256_file(work / "generator-regions.pt"));
  EXPECT_NE(io::sha256_file(work / "generator-regions.pt"), io::sha256_file(work / "generator-colour.pt"));
  EXPECT_NE(io::sha256_file(work / "generator-colour.pt"), io::sha256_file(work / "generator-mouth.pt"));
  // ... and so is its encoder.
  EXPECT_EQ(record["plan"]["e4e_more_steps"], 5);
  EXPECT_EQ(record["plan"]["readout_weight"], 0.3);
  EXPECT_EQ(record["plan"]["e4e_delta_weight"], 0.01);
  EXPECT_EQ(io::sha256_file(bundle / "e4e.pt"), io::sha256_file(work / "e4e-more.pt"));
  for (const char* stage : {"dataset", "generator", "generator-regions", "generator-colour", "generator-mouth", "clip", "e4e-more", "clip-pairs", "clip-separate", "clip-neutral", "e4e", "codes", "counterparts", "pair-codes", "real-codes", "latent-pair-codes", "mapper", "relevance",
                            "predictor", "calibrate", "evaluate"})
    EXPECT_GT(record["stage_seconds"][stage]["seconds"].get<double>(), 0.0) << stage;

  const auto check = run_cli({"models", "check", "--verify-checksums", "--models", bundle.string()});
  EXPECT_EQ(check.code, 0) << check.output;

  const fs::path edited = dir / "smile.png";
  const auto edit = run_cli({"edit", (bundle / "sample.png").string(), "--aligned", "--models",
                             bundle.string(), "--target", "face with a smile", "-o", edited.string()});
  ASSERT_EQ(edit.code, 0) << edit.output;
  EXPECT_GT(fs::file_size(edited), 100u);

  // The generator check reads the work's generator with its predictor and draws both sheets.
  const fs::path grid = dir / "grid.png", pairs = dir / "pairs.png";
  const auto checked = run_cli({"demo", "check-generator", "--generator", (work / "generator-regions.pt").string(),
                                "--predictor", (work / "predictor.pt").string(), "--count", "14",
                                "--grid", grid.string(), "--pairs-grid", pairs.string()});
  ASSERT_EQ(checked.code, 0) << checked.output;
  EXPECT_TRUE(contains(checked.output, "| beard | accuracy |")) << checked.output;
  EXPECT_TRUE(contains(checked.output, "| family | smile | hair_length |")) << checked.output;
  EXPECT_TRUE(contains(checked.output, "| hair colour |")) << checked.output;
  EXPECT_TRUE(contains(checked.output, "| drawn by toRGB |")) << checked.output;
  // (width, height) from the PNG header: 8 columns of 64 px; 8 rows, and one row per family.
  const auto png_size = [](const fs::path& file) {
    std::ifstream in(file, std::ios::binary);
    unsigned char h[24] = {};
    in.read(reinterpret_cast<char*>(h), 24);
    const auto be = [&](int at) { return (h[at] << 24) | (h[at + 1] << 16) | (h[at + 2] << 8) | h[at + 3]; };
    return std::pair{be(16), be(20)};
  };
  EXPECT_EQ(png_size(grid), (std::pair{512, 512}));
  EXPECT_EQ(png_size(pairs), (std::pair{512, 448}));
  const auto refused = run_cli({"demo", "check-generator", "--generator", (work / "generator-regions.pt").string(),
                                "--predictor", (work / "predictor.pt").string(), "--pairs-grid", pairs.string()});
  EXPECT_EQ(refused.code, 5) << refused.output;  // an existing sheet is kept without --overwrite

  // A rerun finds every stage done and rewrites the same bundle.
  const auto again = run_cli({"demo", "build", "--quick", "--out", bundle.string(), "--work",
                              work.string()}, "", /*quiet=*/false);
  ASSERT_EQ(again.code, 0) << again.output;
  EXPECT_TRUE(contains(again.output, "generator already done")) << again.output;
}

TEST(DemoTrainGeneratorCli, RefusesAToRgbMixOutsideZeroToOne) {
  const fs::path dir = testing::temp_dir("demo_generator_cli");
  for (const char* mix : {"1.5", "-0.1", "nan"}) {
    const auto refused = run_cli({"demo", "train-generator", "--out", (dir / "g.pt").string(), "--torgb-mix", mix});
    EXPECT_EQ(refused.code, 2) << mix << ": " << refused.output;
    EXPECT_TRUE(contains(refused.output, "--torgb-mix")) << refused.output;
  }
  EXPECT_FALSE(fs::exists(dir / "g.pt"));
}

TEST(DemoTrainClipCli, RefusesNegativeDeltaWeightsAndSharesOutsideZeroToOne) {
  const fs::path dir = testing::temp_dir("demo_clip_cli");
  for (const char* option : {"--delta-weight", "--delta-separation"}) {
    const auto refused = run_cli({"demo", "train-clip", "--data", (dir / "data").string(), "--out",
                                  (dir / "clip").string(), option, "-1"});
    EXPECT_EQ(refused.code, 2) << option << ": " << refused.output;
    EXPECT_TRUE(contains(refused.output, "--delta-separation >= 0")) << refused.output;
  }
  for (const char* share : {"1.5", "-0.1", "nan"}) {
    const auto refused = run_cli({"demo", "train-clip", "--data", (dir / "data").string(), "--out",
                                  (dir / "clip").string(), "--neutral-source", share});
    EXPECT_EQ(refused.code, 2) << share << ": " << refused.output;
    EXPECT_TRUE(contains(refused.output, "--neutral-source within [0, 1]")) << refused.output;
  }
  EXPECT_FALSE(fs::exists(dir / "clip"));
}

TEST(DemoCalibrateCli, RefusesMissingOptionsAndKeepsAnExistingReport) {
  const fs::path dir = testing::temp_dir("demo_calibrate");
  const auto no_data = run_cli({"demo", "calibrate", "--predictor", (dir / "p.pt").string()});
  EXPECT_EQ(no_data.code, 2) << no_data.output;
  EXPECT_TRUE(contains(no_data.output, "--data")) << no_data.output;
  std::ofstream(dir / "report.md") << "earlier report";
  const auto exists = run_cli({"demo", "calibrate", "--data", dir.string(), "--predictor",
                               (dir / "p.pt").string(), "--out", (dir / "report.md").string()});
  EXPECT_EQ(exists.code, 5) << exists.output;
  EXPECT_TRUE(contains(exists.output, "--overwrite")) << exists.output;
  std::ifstream in(dir / "report.md");
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), "earlier report");
}

}  // namespace
}  // namespace deltaedit
