// The deltaedit command line, run as a separate process on the fixture models.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cstdio>
#include <fstream>

#include "core/face/image_io.h"
#include "tests/cli/run_cli.h"
#include "tests/support/fixture_bundle.h"
#include "tests/support/fixtures.h"

namespace {

namespace fs = std::filesystem;
using deltaedit::testing::fixture;

using deltaedit::testing::contains;
using Run = deltaedit::testing::CliRun;

Run deltaedit(const std::vector<std::string>& args) { return deltaedit::testing::run_cli(args); }


std::string bytes_of(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Cli, HelpListsCommandsAndExitCodes) {
  auto r = deltaedit({"--help"});
  EXPECT_EQ(r.code, 0);
  EXPECT_TRUE(contains(r.output, "deltaedit edit PHOTO"));
  EXPECT_TRUE(contains(r.output, "Exit codes"));
  EXPECT_EQ(deltaedit({}).code, 2);
  auto bad = deltaedit({"edit", "x.png", "--frobnicate"});
  EXPECT_EQ(bad.code, 2);
  EXPECT_TRUE(contains(bad.output, "--frobnicate")) << bad.output;
  EXPECT_EQ(deltaedit({"transmogrify"}).code, 2);
}

TEST(Cli, ModelsCheckNamesWhatIsMissing) {
  const auto dir = deltaedit::testing::temp_dir("empty_models");
  auto r = deltaedit({"models", "check", "--models", dir.string()});
  EXPECT_EQ(r.code, 3);
  EXPECT_TRUE(contains(r.output, "stylegan2-ffhq-config-f.pt")) << r.output;
  EXPECT_TRUE(contains(r.output, "MISSING")) << r.output;
  auto e = deltaedit({"edit", "photo.png", "--target", "face with a smile", "--models", dir.string(), "-o",
                      (dir / "out.png").string()});
  EXPECT_EQ(e.code, 3) << e.output;
  EXPECT_FALSE(fs::exists(dir / "out.png"));
}

TEST(Cli, ModelsInspectShowsTheTensors) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto r = deltaedit({"models", "inspect", fixture("stylegan2/generator.pt").string()});
  EXPECT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(contains(r.output, "conv1.conv.weight")) << r.output;
  EXPECT_TRUE(contains(r.output, "latent_avg")) << r.output;
  auto bad = deltaedit({"models", "inspect", fixture("checkpoint/bad/os_system.pt").string()});
  EXPECT_EQ(bad.code, 3) << bad.output;
  EXPECT_TRUE(contains(bad.output, "os_system.pt")) << bad.output;
}

class CliOnFixtures : public ::testing::Test {
 protected:
  void SetUp() override {
    DELTAEDIT_REQUIRE_FIXTURES();
    dir_ = deltaedit::testing::temp_dir("cli");
    models_ = deltaedit::testing::make_fixture_model_bundle(dir_ / "models");
  }
  std::vector<std::string> edit_args(const fs::path& photo, const fs::path& out) {
    return {"edit", photo.string(), "--aligned", "--target", "face with smile", "--strength", "1.5",
            "--models", models_.string(), "--device", "cpu", "-o", out.string()};
  }
  fs::path dir_, models_;
};

TEST_F(CliOnFixtures, EditWritesAPngWithTheEditInItsMetadata) {
  auto r = deltaedit(edit_args(fixture("e4e/input.png"), dir_ / "out.png"));
  ASSERT_EQ(r.code, 0) << r.output;
  const auto img = deltaedit::face::load_photo(dir_ / "out.png");
  EXPECT_EQ(img.width(), 64);  // the fixture generator's size: aligned input gives the crop
  const auto text = deltaedit::face::read_png_text(dir_ / "out.png");
  auto value = [&](const std::string& key) {
    for (const auto& [k, v] : text)
      if (k == key) return v;
    return std::string("<absent>");
  };
  EXPECT_EQ(value("DeltaEdit:Edit1:Target"), "face with smile");
  EXPECT_EQ(value("DeltaEdit:Edit1:Source"), "face");
  EXPECT_EQ(value("DeltaEdit:Edit1:Strength"), "1.5");
}

TEST_F(CliOnFixtures, TheBundlesRecommendedThresholdIsTheDefault) {
  const auto threshold_in = [&](const fs::path& png) {
    for (const auto& [k, v] : deltaedit::face::read_png_text(png))
      if (k == "DeltaEdit:Edit1:Threshold") return v;
    return std::string("<absent>");
  };
  ASSERT_EQ(deltaedit(edit_args(fixture("e4e/input.png"), dir_ / "plain.png")).code, 0);
  EXPECT_EQ(threshold_in(dir_ / "plain.png"), "0.03");  // no "defaults": DeltaEdit's value
  auto manifest = nlohmann::json::parse(std::ifstream(models_ / "manifest.json"));
  manifest["defaults"] = {{"threshold", 0.007}};
  std::ofstream(models_ / "manifest.json", std::ios::trunc) << manifest.dump();
  auto r = deltaedit(edit_args(fixture("e4e/input.png"), dir_ / "bundle.png"));
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_EQ(threshold_in(dir_ / "bundle.png"), "0.007");
  auto args = edit_args(fixture("e4e/input.png"), dir_ / "own.png");
  args.insert(args.end(), {"--threshold", "0.05"});
  ASSERT_EQ(deltaedit(args).code, 0);
  EXPECT_EQ(threshold_in(dir_ / "own.png"), "0.05");  // the user's value wins
}

TEST_F(CliOnFixtures, ExistingOutputIsNeverOverwrittenWithoutTheFlag) {
  std::ofstream(dir_ / "out.png") << "precious";
  auto r = deltaedit(edit_args(fixture("e4e/input.png"), dir_ / "out.png"));
  EXPECT_EQ(r.code, 5) << r.output;
  EXPECT_TRUE(contains(r.output, "--overwrite")) << r.output;
  EXPECT_EQ(bytes_of(dir_ / "out.png"), "precious");
  auto args = edit_args(fixture("e4e/input.png"), dir_ / "out.png");
  args.push_back("--overwrite");
  EXPECT_EQ(deltaedit(args).code, 0);
  EXPECT_NE(bytes_of(dir_ / "out.png"), "precious");
}

TEST_F(CliOnFixtures, BadPhotosFailClearlyAndWriteNothing) {
  std::ofstream(dir_ / "corrupt.png") << "\x89PNG\r\n\x1a\n garbage that is not a png";
  auto r = deltaedit(edit_args(dir_ / "corrupt.png", dir_ / "a.png"));
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_TRUE(contains(r.output, "corrupt.png")) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "a.png"));
  auto missing = deltaedit(edit_args(dir_ / "nothere.jpg", dir_ / "b.png"));
  EXPECT_EQ(missing.code, 4) << missing.output;
  EXPECT_TRUE(contains(missing.output, "nothere.jpg")) << missing.output;
}

TEST_F(CliOnFixtures, PhotoWithoutAFaceSaysSo) {
  // A flat grey image: dlib finds no face; the message suggests --aligned.
  deltaedit::face::RgbImage grey;
  grey.pixels = cv::Mat(300, 300, CV_8UC3, cv::Scalar(128, 128, 128));
  deltaedit::face::save_png(dir_ / "grey.png", grey);
  auto args = edit_args(dir_ / "grey.png", dir_ / "g.png");
  args.erase(std::find(args.begin(), args.end(), "--aligned"));
  auto r = deltaedit(args);
  EXPECT_EQ(r.code, 4) << r.output;
  EXPECT_TRUE(contains(r.output, "no face")) << r.output;
  EXPECT_FALSE(fs::exists(dir_ / "g.png"));
}

TEST_F(CliOnFixtures, InvertThenRenderEqualsEdit) {
  ASSERT_EQ(deltaedit(edit_args(fixture("e4e/input.png"), dir_ / "direct.png")).code, 0);
  auto inv = deltaedit({"invert", fixture("e4e/input.png").string(), "--aligned", "--models", models_.string(),
                        "--device", "cpu", "-o", (dir_ / "s.deltaedit").string()});
  ASSERT_EQ(inv.code, 0) << inv.output;
  auto ren = deltaedit({"render", (dir_ / "s.deltaedit").string(), "--target", "face with smile", "--strength",
                        "1.5", "--models", models_.string(), "--device", "cpu", "-o",
                        (dir_ / "via_session.png").string()});
  ASSERT_EQ(ren.code, 0) << ren.output;
  const auto a = deltaedit::face::load_photo(dir_ / "direct.png");
  const auto b = deltaedit::face::load_photo(dir_ / "via_session.png");
  EXPECT_EQ(cv::norm(a.pixels, b.pixels, cv::NORM_INF), 0.0);
  // A damaged session is refused with exit code 4.
  std::string data = bytes_of(dir_ / "s.deltaedit");
  data[data.size() / 2] ^= 1;
  std::ofstream(dir_ / "bad.deltaedit", std::ios::binary) << data;
  auto bad = deltaedit({"render", (dir_ / "bad.deltaedit").string(), "--models", models_.string(), "-o",
                        (dir_ / "x.png").string()});
  EXPECT_EQ(bad.code, 4) << bad.output;
  EXPECT_TRUE(contains(bad.output, "checksum")) << bad.output;
}

TEST_F(CliOnFixtures, SeveralPhotosGoToAFolder) {
  fs::copy_file(fixture("e4e/input.png"), dir_ / "one.png");
  fs::copy_file(fixture("e4e/input.png"), dir_ / "two.png");
  auto r = deltaedit({"edit", (dir_ / "one.png").string(), (dir_ / "two.png").string(), "--aligned", "--target",
                      "face with blond hair", "--target", "face with smile", "--strength", "1", "--strength",
                      "-0.5", "--models", models_.string(), "--device", "cpu", "-o", (dir_ / "out").string()});
  ASSERT_EQ(r.code, 0) << r.output;
  EXPECT_TRUE(fs::exists(dir_ / "out" / "one_edited.png"));
  EXPECT_TRUE(fs::exists(dir_ / "out" / "two_edited.png"));
  const auto text = deltaedit::face::read_png_text(dir_ / "out" / "two_edited.png");
  bool second = false;
  for (const auto& [k, v] : text) second |= (k == "DeltaEdit:Edit2:Strength" && v == "-0.5");
  EXPECT_TRUE(second);
}

}  // namespace
