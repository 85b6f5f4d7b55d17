#pragma once
// Making the training data (DeltaEdit's generate_codes.py, and the same from real photos):
//   sampled: z ~ N(0, I) -> w (truncation toward latent_avg) -> W+ (w in every slot) -> S ->
//            render from S -> CLIP image embedding of the render;
//   images:  photo -> FFHQ alignment -> e4e -> W+ -> S; CLIP embedding of the photo's e4e input.
// The CLIP input is DeltaEdit's resampling (nearest x7, average pool with kernel = side / 32),
// without CLIP's mean/std normalisation. Codes are written to a CodeSet shard by shard;
// existing shards are kept, so an interrupted run resumes where it stopped.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/face/face_detector.h"
#include "core/nets/clip/clip_model.h"
#include "core/nets/e4e/encoder4editing.h"
#include "core/nets/stylegan2/generator.h"
#include "core/train/code_shards.h"

namespace deltaedit::train {

// Called after every batch with the codes done so far (of the whole set) and the set's total.
using CodeProgress = std::function<void(int64_t done, int64_t total)>;

// Sets the fields of `info` that the models decide: S widths, W+ shape, CLIP width, and the side
// of the images CLIP sees (`image_size`: the generator's, or the e4e input size for photos:
// E4eConfig::input_size(), 256 for the official e4e) with its kernel.
void set_model_fields(CodeSetInfo& info, nets::LoadedGenerator& gen, nets::ClipModel& clip,
                      int64_t image_size);

// [B, 3, H, W] images in [-1, 1] -> [B, E] raw CLIP image embeddings (float32, CPU), with
// kernel = H / 32 as generate_codes.py (8 for the 256 e4e input).
torch::Tensor clip_image_embedding(nets::ClipModel& clip, const torch::Tensor& images);

// The z of shard `shard`: [rows, style_dim] float32 from the (seed, shard) stream.
torch::Tensor shard_z(uint64_t seed, int64_t shard, int64_t rows, int64_t style_dim);

// z [B, style_dim] -> codes of the rendered images (float32, CPU): s [B, S],
// wplus [B, n_latent, style_dim], clip [B, E].
CodeShard codes_from_z(nets::LoadedGenerator& gen, nets::ClipModel& clip, const torch::Tensor& z,
                       double truncation);

// A pairing rule (CodeSetInfo::pairing): latents z [B, D] and the index of the first pair ->
// [2B, D], each latent followed by its twin.
using LatentPairing = std::function<torch::Tensor(const torch::Tensor& z, int64_t first_pair)>;

// Fills the missing shards of a "sampled" set (its info gives count, shard size, seed and
// truncation), `batch` codes per network call. A set with a pairing takes half as many latents
// from the seed and `pairing` makes the twins; it must be given exactly then.
void generate_sampled_codes(const CodeSet& set, nets::LoadedGenerator& gen, nets::ClipModel& clip,
                            int64_t batch, const CodeProgress& progress = {},
                            const LatentPairing& pairing = {});

// Image files (.png, .jpg, .jpeg, any case) directly in `dir`, sorted by name. Throws
// DataFileError naming the folder when it is missing or holds none.
std::vector<std::filesystem::path> list_images(const std::filesystem::path& dir);

// SHA-256 of the file names (not the contents), one per line: identifies an image list.
std::string image_list_checksum(const std::vector<std::filesystem::path>& images);

struct ImageCodeModels {
  nets::LoadedGenerator* generator = nullptr;
  nets::LoadedE4e* e4e = nullptr;
  nets::ClipModel* clip = nullptr;
  const face::FaceDetector* detector = nullptr;  // unused (may be null) for aligned photos
};

// Called for a photo that gives no code (unreadable, no face), with the reason.
using SkipReport = std::function<void(const std::filesystem::path& photo, const std::string& why)>;

// Fills the missing shards of an "images" set from `images` (the list the set was made for):
// row order is the list order, skipped photos leave no row.
void generate_image_codes(const CodeSet& set, const std::vector<std::filesystem::path>& images,
                          const ImageCodeModels& models, const CodeProgress& progress = {},
                          const SkipReport& skipped = {});

}  // namespace deltaedit::train
