// The dataset folder: files, attributes.jsonl, resuming, and refusing a foreign folder.
#include "core/demo/demo_dataset.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <set>

#include "core/demo/captions.h"
#include "core/demo/sample_grid.h"
#include "tests/support/fixtures.h"

namespace deltaedit::demo {
namespace {

namespace fs = std::filesystem;

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<nlohmann::json> read_jsonl(const fs::path& file) {
  std::ifstream in(file);
  std::vector<nlohmann::json> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

DatasetOptions small_options(const fs::path& dir) {
  DatasetOptions o;
  o.out_dir = dir;
  o.train_count = 6;
  o.held_out_count = 3;
  o.size = 32;
  o.seed = 42;
  return o;
}

TEST(DemoDataset, WritesImagesAndOneJsonLinePerImage) {
  const fs::path dir = deltaedit::testing::temp_dir("demo_dataset_write");
  int64_t calls = 0;
  const DatasetSummary s =
      write_dataset(small_options(dir), [&](const DatasetSummary& so_far, int64_t total) {
        ++calls;
        EXPECT_EQ(total, 9);
        EXPECT_EQ(so_far.rendered + so_far.kept, calls);
      });
  EXPECT_EQ(s.rendered, 9);
  EXPECT_EQ(s.kept, 0);
  EXPECT_EQ(calls, 9);
  EXPECT_TRUE(fs::exists(dir / "train" / "000005.png"));
  EXPECT_FALSE(fs::exists(dir / "train" / "000006.png"));
  EXPECT_TRUE(fs::exists(dir / "heldout" / "000002.png"));

  const auto lines = read_jsonl(dir / "attributes.jsonl");
  ASSERT_EQ(lines.size(), 9u);
  std::set<std::string> files;
  for (const auto& line : lines) {
    const fs::path file = dir / line.at("file").get<std::string>();
    files.insert(line.at("file").get<std::string>());
    EXPECT_TRUE(png_is_complete(file)) << file;
    const cv::Mat img = cv::imread(file.string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(img.empty()) << file;
    EXPECT_EQ(img.rows, 32);
    EXPECT_EQ(img.cols, 32);
    EXPECT_EQ(img.channels(), 3);
    // The line's attributes and caption are those the image was drawn from.
    const FaceAttributes a = attributes_from_json(line.at("attributes"));
    const Split split = line.at("split") == "train" ? Split::kTrain : Split::kHeldOut;
    EXPECT_EQ(to_json(a), to_json(dataset_attributes(42, split, line.at("index").get<int64_t>())));
    EXPECT_EQ(line.at("caption").get<std::string>(), caption_for(a));
  }
  EXPECT_EQ(files.size(), 9u);
  // Held-out portraits are not copies of training ones.
  EXPECT_NE(bytes_of(dir / "train" / "000000.png"), bytes_of(dir / "heldout" / "000000.png"));
}

TEST(DemoDataset, ResumesSkippingCompleteImagesAndRedrawingBrokenOnes) {
  const fs::path dir = deltaedit::testing::temp_dir("demo_dataset_resume");
  write_dataset(small_options(dir));
  const std::string original1 = bytes_of(dir / "train" / "000001.png");
  const std::string original4 = bytes_of(dir / "train" / "000004.png");
  const std::string jsonl = bytes_of(dir / "attributes.jsonl");

  fs::remove(dir / "train" / "000001.png");
  {  // an interrupted write: the start of the file only
    std::ofstream cut(dir / "train" / "000004.png", std::ios::binary | std::ios::trunc);
    cut << original4.substr(0, original4.size() / 2);
  }
  EXPECT_FALSE(png_is_complete(dir / "train" / "000004.png"));

  const DatasetSummary s = write_dataset(small_options(dir));
  EXPECT_EQ(s.rendered, 2);
  EXPECT_EQ(s.kept, 7);
  EXPECT_EQ(bytes_of(dir / "train" / "000001.png"), original1);
  EXPECT_EQ(bytes_of(dir / "train" / "000004.png"), original4);
  EXPECT_EQ(bytes_of(dir / "attributes.jsonl"), jsonl);

  // Asking for more draws only the new ones.
  DatasetOptions more = small_options(dir);
  more.train_count = 8;
  const DatasetSummary m = write_dataset(more);
  EXPECT_EQ(m.rendered, 2);
  EXPECT_EQ(m.kept, 9);
  EXPECT_EQ(read_jsonl(dir / "attributes.jsonl").size(), 11u);
}

TEST(DemoDataset, RefusesAFolderMadeWithOtherSettings) {
  const fs::path dir = deltaedit::testing::temp_dir("demo_dataset_foreign");
  write_dataset(small_options(dir));
  DatasetOptions other = small_options(dir);
  other.seed = 43;
  try {
    write_dataset(other);
    FAIL() << "expected a DatasetError";
  } catch (const DatasetError& e) {
    EXPECT_NE(std::string(e.what()).find("seed"), std::string::npos) << e.what();
  }
  other = small_options(dir);
  other.size = 64;
  EXPECT_THROW(write_dataset(other), DatasetError);
}

TEST(DemoDataset, RejectsBadOptions) {
  DatasetOptions o = small_options(deltaedit::testing::temp_dir("demo_dataset_bad"));
  o.size = 4;
  EXPECT_THROW(write_dataset(o), std::invalid_argument);
  o = small_options("");
  EXPECT_THROW(write_dataset(o), std::invalid_argument);
}

TEST(DemoDataset, GridShowsTheFirstTrainingImages) {
  const fs::path dir = deltaedit::testing::temp_dir("demo_dataset_grid");
  write_dataset(small_options(dir));
  const cv::Mat grid = sample_grid(42, 6, 4, 32);
  ASSERT_EQ(grid.rows, 64);
  ASSERT_EQ(grid.cols, 128);
  const cv::Mat fifth = cv::imread((dir / "train" / "000005.png").string());
  EXPECT_EQ(cv::norm(grid(cv::Rect(32, 32, 32, 32)), fifth, cv::NORM_INF), 0.0);
}

}  // namespace
}  // namespace deltaedit::demo
