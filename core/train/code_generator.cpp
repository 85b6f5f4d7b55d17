#include "core/train/code_generator.h"

#include <algorithm>
#include <cctype>

#include "core/engine/image_tensor.h"
#include "core/face/face_errors.h"
#include "core/face/ffhq_align.h"
#include "core/face/image_io.h"
#include "core/io/sha256.h"
#include "core/nets/clip/clip_resample.h"
#include "core/nets/e4e/e4e_input.h"
#include "core/train/seed_streams.h"
#include "core/train/train_errors.h"

namespace deltaedit::train {

namespace fs = std::filesystem;

void set_model_fields(CodeSetInfo& info, nets::LoadedGenerator& gen, nets::ClipModel& clip,
                      int64_t image_size) {
  info.s_widths = gen.net->s_widths();
  info.n_latent = gen.net->n_latent();
  info.style_dim = gen.net->style_dim();
  info.image_size = image_size;
  info.clip_kernel = image_size / 32;
  info.embed_dim = clip->embed_dim();
}

torch::Tensor clip_image_embedding(nets::ClipModel& clip, const torch::Tensor& images) {
  c10::InferenceMode guard;
  // [B, 3, H, W] -> [B, 3, 224, 224] -> [B, E]
  const auto resampled =
      nets::deltaedit_resample(images, nets::deltaedit_resample_kernel(images.size(-1)));
  return clip->encode_image(resampled).to(torch::kCPU, torch::kFloat32);
}

torch::Tensor shard_z(uint64_t seed, int64_t shard, int64_t rows, int64_t style_dim) {
  auto gen = stream_generator(seed, Stream::kCodeShard, static_cast<uint64_t>(shard));
  return torch::randn({rows, style_dim}, gen, torch::kFloat32);
}

CodeShard codes_from_z(nets::LoadedGenerator& gen, nets::ClipModel& clip, const torch::Tensor& z,
                       double truncation) {
  c10::InferenceMode guard;
  auto& g = gen.net;
  auto w = g->mapping(z);  // [B, D]
  if (truncation != 1.0) w = nets::truncate(w, gen.latent_avg.to(w.dtype()), truncation);
  const auto wplus = g->broadcast_w(w);          // [B, L, D]
  const auto s = g->w_to_s(wplus);               // [B, S]
  const auto image = g->synthesize_s(s, wplus);  // [B, 3, size, size]
  CodeShard out;
  out.s = s.to(torch::kCPU, torch::kFloat32);
  out.wplus = wplus.to(torch::kCPU, torch::kFloat32);
  out.clip = clip_image_embedding(clip, image);
  return out;
}

void generate_sampled_codes(const CodeSet& set, nets::LoadedGenerator& gen, nets::ClipModel& clip,
                            int64_t batch, const CodeProgress& progress,
                            const LatentPairing& pairing) {
  const auto& info = set.info();
  TORCH_CHECK(info.source == "sampled", "generate_sampled_codes: not a sampled code set");
  TORCH_CHECK(batch > 0, "batch must be positive");
  TORCH_CHECK(info.pairing.empty() == !pairing, "generate_sampled_codes: the set's pairing '",
              info.pairing, "' needs its rule, and only then");
  for (int64_t k = set.complete_shards(); k < info.num_shards(); ++k) {
    const int64_t first = k * info.shard_size;
    const int64_t rows = std::min(info.shard_size, info.count - first);
    const auto z = pairing ? pairing(shard_z(info.seed, k, rows / 2, info.style_dim), first / 2)
                           : shard_z(info.seed, k, rows, info.style_dim);  // [rows, D]
    std::vector<CodeShard> parts;
    for (int64_t b = 0; b < rows; b += batch) {
      parts.push_back(
          codes_from_z(gen, clip, z.narrow(0, b, std::min(batch, rows - b)), info.truncation));
      if (!info.has_wplus) parts.back().wplus = torch::Tensor();
      if (progress) progress(first + b + parts.back().rows(), info.count);
    }
    set.write_shard(k, concat_shards(parts));
  }
}

std::vector<fs::path> list_images(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw DataFileError(dir, "is not a folder of images");
  std::vector<fs::path> images;
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string ext = entry.path().extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (entry.is_regular_file() && (ext == ".png" || ext == ".jpg" || ext == ".jpeg"))
      images.push_back(entry.path());
  }
  if (ec) throw DataFileError(dir, "cannot be listed (" + ec.message() + ")");
  if (images.empty()) throw DataFileError(dir, "holds no .png/.jpg/.jpeg images");
  std::sort(images.begin(), images.end());
  return images;
}

std::string image_list_checksum(const std::vector<fs::path>& images) {
  std::string names;
  for (const auto& p : images) names += p.filename().string() + "\n";
  return io::sha256_hex(names.data(), names.size());
}

namespace {

struct NoFace : std::runtime_error {
  NoFace() : std::runtime_error("no face found") {}
};

// The face to invert: the largest convincing detection. dlib's HOG detector also returns weak
// false positives that can be as large as the real face; the editor applies the same rule.
const face::DetectedFace* pick_face(const std::vector<face::DetectedFace>& faces) {
  constexpr double kWeakScore = 0.3;
  for (const auto& f : faces)
    if (f.score >= kWeakScore) return &f;
  return faces.empty() ? nullptr : &faces.front();
}

// One photo -> one code row (s [1, S], wplus [1, L, D], clip [1, E]); throws on failure.
// (EditEngine::open_image does the same but needs the mapper and fs3, which training makes.)
CodeShard codes_from_photo(const fs::path& photo, bool aligned, const ImageCodeModels& m) {
  c10::InferenceMode guard;
  const face::RgbImage image = face::load_photo(photo);
  face::AlignedFace crop;
  if (aligned) {
    crop = face::treat_as_aligned(image, std::max(image.width(), image.height()));
  } else {
    TORCH_CHECK(m.detector, "no face detector for unaligned photos");
    const auto faces = m.detector->detect(image);
    const auto* face = pick_face(faces);
    if (!face) throw NoFace();
    face::AlignOptions align;
    align.output_size = 1024;  // the FFHQ crop size the official scripts use
    crop = face::align_face(image, *face, align);
  }
  auto& gen = m.generator->net;
  // [1, 3, 256, 256] in [-1, 1], as inference_real.py's Imagedataset transform makes it (the
  // side is the encoder's input size, read from its weights).
  const auto x = nets::e4e_input_from_rgb8(engine::rgb8_to_hwc_tensor(crop.image),
                                           m.e4e->net->config().input_size());
  const auto wplus = nets::invert_to_wplus(*m.e4e, x);  // [1, L, D]
  CodeShard out;
  out.s = gen->w_to_s(wplus).to(torch::kCPU, torch::kFloat32);
  out.wplus = wplus.to(torch::kCPU, torch::kFloat32);
  out.clip = clip_image_embedding(*m.clip, x);
  out.names = {photo.filename().string()};
  return out;
}

}  // namespace

void generate_image_codes(const CodeSet& set, const std::vector<fs::path>& images,
                          const ImageCodeModels& models, const CodeProgress& progress,
                          const SkipReport& skipped) {
  const auto& info = set.info();
  TORCH_CHECK(info.source == "images", "generate_image_codes: not an image code set");
  TORCH_CHECK(static_cast<int64_t>(images.size()) == info.count &&
                  image_list_checksum(images) == info.image_list_sha256,
              "the image list differs from the one the code set was made for");
  TORCH_CHECK(models.generator && models.e4e && models.clip, "generate_image_codes: missing model");
  for (int64_t k = set.complete_shards(); k < info.num_shards(); ++k) {
    const int64_t first = k * info.shard_size;
    const int64_t last = std::min(info.count, first + info.shard_size);
    std::vector<CodeShard> rows;
    for (int64_t i = first; i < last; ++i) {
      const auto& photo = images[static_cast<size_t>(i)];
      try {
        rows.push_back(codes_from_photo(photo, info.aligned, models));
        if (!info.has_wplus) rows.back().wplus = torch::Tensor();
      } catch (const face::ImageError& e) {
        if (skipped) skipped(photo, e.what());
      } catch (const NoFace& e) {
        if (skipped) skipped(photo, e.what());
      }
      if (progress) progress(i + 1, info.count);
    }
    CodeShard shard = concat_shards(rows);
    if (rows.empty()) {  // every photo of the shard skipped: an empty shard keeps the numbering
      shard.s = torch::zeros({0, info.s_dim()});
      shard.clip = torch::zeros({0, info.embed_dim});
      if (info.has_wplus) shard.wplus = torch::zeros({0, info.n_latent, info.style_dim});
    }
    set.write_shard(k, shard);
  }
}

}  // namespace deltaedit::train
