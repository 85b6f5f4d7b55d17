#pragma once
// A code set: the training data of the DeltaMapper, as a folder
//   meta.json              how the codes were made (CodeSetInfo)
//   shard_00000.s.npy      [n, S] float32         StyleSpace codes
//   shard_00000.clip.npy   [n, E] float32         CLIP image embeddings, raw (not normalized)
//   shard_00000.wplus.npy  [n, L, D] float32      W+ codes (optional; needed by `relevance`)
//   shard_00000.names.txt  one source image per row (sets made from images only)
// Shard k holds the codes k*shard_size ... of the set (fewer rows where photos were skipped).
// Every file is written atomically and the .s.npy file last, so a shard exists exactly when its
// .s.npy does; an interrupted run resumes at the first missing shard.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::train {

struct CodeSetInfo {
  static constexpr int kFormatVersion = 1;

  std::string source = "sampled";    // "sampled" (z ~ N(0, I)) or "images" (e4e inversions)
  std::string generator, clip, e4e;  // model files used, as given
  std::vector<int64_t> s_widths;     // the generator's S width per conv layer
  int64_t n_latent = 0, style_dim = 0, embed_dim = 0;
  int64_t image_size = 0;   // side of the images CLIP saw: the generator's, or 256 (e4e input)
  int64_t clip_kernel = 0;  // pooling kernel of the CLIP resampling (image side / 32)
  int64_t shard_size = 1000;
  int64_t count = 0;  // codes requested ("sampled") or image files listed ("images")
  uint64_t seed = 0;
  double truncation = 1.0;  // psi toward the generator's latent_avg ("sampled")
  bool has_wplus = true;
  std::string images_dir;         // "images": the folder read,
  std::string image_list_sha256;  // a checksum of its sorted file list,
  bool aligned = false;           // and whether the photos were taken as aligned crops
  // "sampled" in pairs: "" for independent codes, else the name of the rule that makes row
  // 2k + 1's latent from row 2k's (rows 2k, 2k + 1 are then a pair; counts and shards even).
  std::string pairing;

  int64_t s_dim() const;
  int64_t num_shards() const { return shard_size > 0 ? (count + shard_size - 1) / shard_size : 0; }

  std::string to_json() const;
  // Throws DataFileError naming `file` for bad or incomplete JSON.
  static CodeSetInfo from_json(const std::string& text, const std::filesystem::path& file);

  // Empty when `other` describes the same codes (so a run may resume), else what differs.
  std::string differences(const CodeSetInfo& other) const;
};

struct CodeShard {
  torch::Tensor s;                 // [n, S] float32
  torch::Tensor clip;              // [n, E] float32, raw encode_image output
  torch::Tensor wplus;             // [n, L, D] float32, undefined when the set has none
  std::vector<std::string> names;  // "images" sets: source file of each row

  int64_t rows() const { return s.defined() ? s.size(0) : 0; }
};

// Concatenation of shards (names too). All must have the same layout.
CodeShard concat_shards(const std::vector<CodeShard>& shards);

class CodeSet {
 public:
  // Opens an existing set for reading. Throws DataFileError naming meta.json or a shard file.
  static CodeSet open(const std::filesystem::path& dir);

  // Starts a new set in `dir` (which must be missing or empty) or reopens one made with the same
  // settings, to resume it. Throws OutputConflict naming the folder or its meta.json otherwise.
  static CodeSet create_or_resume(const std::filesystem::path& dir, const CodeSetInfo& info);

  const std::filesystem::path& dir() const { return dir_; }
  const CodeSetInfo& info() const { return info_; }

  // Number of leading shards present (0 ... num_shards()).
  int64_t complete_shards() const;
  bool is_complete() const { return complete_shards() == info_.num_shards(); }

  // Writes shard `index` (checked against the set's layout) atomically, .s.npy last.
  void write_shard(int64_t index, const CodeShard& shard) const;
  // Reads and validates one shard. Throws DataFileError naming the bad file.
  CodeShard read_shard(int64_t index) const;
  // All shards concatenated. Throws DataFileError when the set is incomplete.
  CodeShard read_all() const;

  // shard_00012.<array>.npy (array: "s", "clip", "wplus") or shard_00012.names.txt.
  std::filesystem::path shard_file(int64_t index, const std::string& array) const;
  std::filesystem::path meta_file() const { return dir_ / "meta.json"; }

 private:
  CodeSet(std::filesystem::path dir, CodeSetInfo info)
      : dir_(std::move(dir)), info_(std::move(info)) {}
  std::filesystem::path dir_;
  CodeSetInfo info_;
};

}  // namespace deltaedit::train
