#include "core/demo/demo_dataset.h"

#include <array>
#include <cstdio>
#include <fstream>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "core/demo/captions.h"
#include "core/demo/demo_random.h"
#include "core/demo/portrait_renderer.h"

namespace deltaedit::demo {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "deltaedit-demo-dataset";

std::string image_name(int64_t index) {
  char b[32];
  std::snprintf(b, sizeof(b), "%06lld.png", static_cast<long long>(index));
  return b;
}

// Writes `bytes` to `file` through a temporary name, so a file under the final name is always
// complete.
void write_atomically(const fs::path& file, const std::string_view bytes) {
  const fs::path part = file.string() + ".part";
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) throw DatasetError(part, "cannot be created");
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out.flush()) throw DatasetError(part, "cannot be written (disk full?)");
  }
  std::error_code ec;
  fs::rename(part, file, ec);
  if (ec) throw DatasetError(file, "cannot be renamed into place: " + ec.message());
}

nlohmann::json settings_json(const DatasetOptions& o) {
  return {{"format", kFormat},      {"renderer_version", kRendererVersion},
          {"seed", o.seed},         {"size", o.size},
          {"train", o.train_count}, {"heldout", o.held_out_count}};
}

// A folder made earlier must have been drawn by the same seed, size and renderer; the counts
// may differ (a resumed run may ask for more or fewer images).
void check_existing_settings(const fs::path& file, const DatasetOptions& o) {
  std::ifstream in(file);
  nlohmann::json j;
  try {
    in >> j;
  } catch (const nlohmann::json::exception& e) {
    throw DatasetError(file, std::string("is not valid JSON: ") + e.what());
  }
  if (!j.is_object() || j.value("format", "") != kFormat)
    throw DatasetError(file, "is not a demo dataset description");
  auto differs = [&](const char* key, const nlohmann::json& want) {
    if (!j.contains(key) || j[key] != want)
      throw DatasetError(file.parent_path(), std::string("holds a dataset made with ") + key +
                                                 " = " + (j.contains(key) ? j[key].dump() : "?") +
                                                 ", not " + want.dump() + "; use another folder");
  };
  differs("renderer_version", kRendererVersion);
  differs("seed", o.seed);
  differs("size", o.size);
}

}  // namespace

std::string_view split_folder(Split split) { return split == Split::kTrain ? "train" : "heldout"; }

FaceAttributes dataset_attributes(uint64_t seed, Split split, int64_t index) {
  std::mt19937_64 rng(mix_seed(seed, split == Split::kTrain ? 1 : 2, static_cast<uint64_t>(index)));
  return sample_attributes(rng);
}

bool png_is_complete(const fs::path& file) {
  static constexpr std::array<unsigned char, 12> kIend = {0,   0,   0,    0,    'I',  'E',
                                                          'N', 'D', 0xAE, 0x42, 0x60, 0x82};
  std::ifstream in(file, std::ios::binary | std::ios::ate);
  if (!in) return false;
  const std::streamoff size = in.tellg();
  if (size < 8 + static_cast<std::streamoff>(kIend.size())) return false;
  std::array<unsigned char, 12> tail{};
  in.seekg(size - static_cast<std::streamoff>(tail.size()));
  in.read(reinterpret_cast<char*>(tail.data()), static_cast<std::streamsize>(tail.size()));
  return in && tail == kIend;
}

void write_png_atomically(const fs::path& file, const cv::Mat& bgr) {
  std::vector<uchar> png;
  if (!cv::imencode(".png", bgr, png)) throw DatasetError(file, "PNG encoding failed");
  write_atomically(file, std::string_view(reinterpret_cast<const char*>(png.data()), png.size()));
}

DatasetSummary write_dataset(const DatasetOptions& o, const DatasetProgress& progress) {
  if (o.out_dir.empty()) throw std::invalid_argument("demo dataset: no output folder");
  if (o.train_count < 0 || o.held_out_count < 0)
    throw std::invalid_argument("demo dataset: image counts must not be negative");
  if (o.size < 16 || o.size > 1024)
    throw std::invalid_argument("demo dataset: size " + std::to_string(o.size) +
                                " is outside [16, 1024]");

  std::error_code ec;
  fs::create_directories(o.out_dir, ec);
  if (ec) throw DatasetError(o.out_dir, "cannot be created: " + ec.message());
  const fs::path settings = o.out_dir / "dataset.json";
  if (fs::exists(settings)) check_existing_settings(settings, o);
  write_atomically(settings, settings_json(o).dump(2) + "\n");

  const std::array<std::pair<Split, int64_t>, 2> splits = {
      std::pair{Split::kTrain, o.train_count}, std::pair{Split::kHeldOut, o.held_out_count}};
  const int64_t total = o.train_count + o.held_out_count;
  DatasetSummary summary;
  std::string lines;
  for (const auto& [split, count] : splits) {
    const fs::path dir = o.out_dir / split_folder(split);
    fs::create_directories(dir, ec);
    if (ec) throw DatasetError(dir, "cannot be created: " + ec.message());
    for (int64_t i = 0; i < count; ++i) {
      const FaceAttributes a = dataset_attributes(o.seed, split, i);
      const fs::path file = dir / image_name(i);
      if (png_is_complete(file)) {
        ++summary.kept;
      } else {
        write_png_atomically(file, render_face(a, o.size));
        ++summary.rendered;
      }
      // Keys in reading order: file, split, index, caption, then the attributes.
      std::string line = nlohmann::ordered_json{
          {"file", std::string(split_folder(split)) + "/" + image_name(i)},
          {"split", split_folder(split)},
          {"index", i},
          {"caption",
           caption_for(a)}}.dump();
      line.pop_back();  // the closing brace
      lines += line + ",\"attributes\":" + to_json(a).dump() + "}\n";
      if (progress) progress(summary, total);
    }
  }
  // Written last, so it only ever lists images that exist.
  write_atomically(o.out_dir / "attributes.jsonl", lines);
  return summary;
}

}  // namespace deltaedit::demo
