#pragma once
// The demo domain as files: DIR/train/NNNNNN.png, DIR/heldout/NNNNNN.png, DIR/attributes.jsonl
// (one JSON object per image: file, split, index, caption, attributes) and DIR/dataset.json
// (seed, size, counts, renderer version). Every image is a pure function of (seed, split,
// index), so a run can be interrupted and resumed, or extended with a larger count.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>

#include <opencv2/core.hpp>

#include "core/demo/face_attributes.h"

namespace deltaedit::demo {

// Bumped whenever the renderer or the sampler changes what a (seed, split, index) draws: a
// folder made by another version is not resumed.
inline constexpr int kRendererVersion = 1;

enum class Split { kTrain, kHeldOut };
std::string_view split_folder(Split split);  // "train", "heldout"

// The attributes of image `index` of `split` under `seed`.
FaceAttributes dataset_attributes(uint64_t seed, Split split, int64_t index);

// A dataset folder that cannot be used: made with other settings, unwritable, or corrupt.
class DatasetError : public std::runtime_error {
 public:
  DatasetError(const std::filesystem::path& path, const std::string& problem)
      : std::runtime_error(path.string() + ": " + problem), path_(path) {}
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

// Whether `file` is a whole PNG (it ends with the IEND chunk): what a resumed run may keep.
bool png_is_complete(const std::filesystem::path& file);
// `bgr` (8-bit BGR) as a PNG written through a temporary name, so a file under the final name
// is always complete. Throws DatasetError naming the file.
void write_png_atomically(const std::filesystem::path& file, const cv::Mat& bgr);

struct DatasetOptions {
  std::filesystem::path out_dir;
  int64_t train_count = 0;
  int64_t held_out_count = 0;
  int size = 128;  // pixels, [16, 1024]
  uint64_t seed = 0;
};

struct DatasetSummary {
  int64_t rendered = 0;  // images drawn by this run
  int64_t kept = 0;      // complete images found from an earlier run
};

// Writes (or completes) the dataset. `progress(so_far, total)` is called after every image.
// Throws DatasetError when DIR holds a dataset with another seed, size or renderer version,
// or when a file cannot be written; std::invalid_argument for bad options.
using DatasetProgress = std::function<void(const DatasetSummary& so_far, int64_t total)>;
DatasetSummary write_dataset(const DatasetOptions& options, const DatasetProgress& progress = {});

// True when `file` is a PNG that was written to the end (its last chunk is IEND).
bool png_is_complete(const std::filesystem::path& file);

}  // namespace deltaedit::demo
