#include "core/engine/edit_engine.h"

#include "core/engine/strength_preview_cache.h"

#include <cstdlib>
#include <list>
#include <thread>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/engine/image_tensor.h"
#include "core/face/face_detector.h"
#include "core/face/ffhq_align.h"
#include "core/face/image_io.h"
#include "core/face/paste_back.h"
#include "core/io/model_file_error.h"
#include "core/io/npy.h"
#include "core/io/sha256.h"
#include "core/nets/clip/clip_model.h"
#include "core/nets/clip/clip_resample.h"
#include "core/nets/e4e/e4e_input.h"
#include "core/nets/e4e/encoder4editing.h"
#include "core/nets/mapper/delta_mapper.h"
#include "core/nets/mapper/relevance_mask.h"
#include "core/nets/stylegan2/generator.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/text_direction.h"

namespace deltaedit::engine {
namespace {

namespace fs = std::filesystem;

// Output side of the FFHQ alignment: the size the official scripts crop to.
constexpr int kAlignedSize = 1024;

std::string tensor_hash(const torch::Tensor& t) {
  auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  return io::sha256_hex(c.data_ptr<float>(), c.numel() * sizeof(float));
}

void check_cancel(const std::atomic<bool>* cancel) {
  if (cancel && cancel->load()) throw CancelledError();
}

void report(const Progress& p, const char* stage, double f) {
  if (p) p(stage, f);
}

std::array<double, 8> quad_to_array(const face::Quad& q) {
  std::array<double, 8> a{};
  for (int i = 0; i < 4; ++i) {
    a[2 * i] = q.corners[i].x;
    a[2 * i + 1] = q.corners[i].y;
  }
  return a;
}

face::Quad quad_from_array(const std::array<double, 8>& a) {
  face::Quad q;
  for (int i = 0; i < 4; ++i) q.corners[i] = {a[2 * i], a[2 * i + 1]};
  return q;
}

// LibTorch may start with one intra-op thread; the networks should use every core
// ($DELTAEDIT_THREADS overrides).
void use_all_cores() {
  int n = static_cast<int>(std::thread::hardware_concurrency());
  if (const char* env = std::getenv("DELTAEDIT_THREADS"); env && std::atoi(env) > 0) n = std::atoi(env);
  if (n > 0 && torch::get_num_threads() != n) torch::set_num_threads(n);
}

// dlib's HOG detector at threshold 0 (the FFHQ setting) also returns weak false positives that
// can be as large as the real face; keep those only when nothing convincing was found.
std::vector<face::DetectedFace> plausible_faces(std::vector<face::DetectedFace> faces) {
  constexpr double kWeakScore = 0.3;
  std::vector<face::DetectedFace> strong;
  for (const auto& f : faces)
    if (f.score >= kWeakScore) strong.push_back(f);
  return strong.empty() ? faces : strong;
}

// Small LRU cache of masked StyleSpace directions.
class DeltaCache {
 public:
  std::optional<torch::Tensor> get(const std::string& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return std::nullopt;
    order_.splice(order_.begin(), order_, it->second);
    return it->second->second;
  }
  void put(const std::string& key, torch::Tensor value) {
    if (auto it = index_.find(key); it != index_.end()) order_.erase(it->second);
    order_.emplace_front(key, std::move(value));
    index_[key] = order_.begin();
    while (order_.size() > kCapacity) {
      index_.erase(order_.back().first);
      order_.pop_back();
    }
  }

 private:
  static constexpr size_t kCapacity = 64;
  std::list<std::pair<std::string, torch::Tensor>> order_;
  std::unordered_map<std::string, std::list<std::pair<std::string, torch::Tensor>>::iterator> index_;
};

}  // namespace

struct EditEngine::Impl {
  ModelPaths paths;
  nets::ComputeDevice dev;
  std::optional<nets::LoadedGenerator> gen;
  std::optional<nets::LoadedE4e> e4e;
  std::optional<nets::LoadedClip> clip;
  std::optional<nets::LoadedMapper> mapper;
  std::shared_ptr<const text::ClipTokenizer> tokenizer;
  std::unique_ptr<text::TextDirectionEncoder> directions;
  torch::Tensor fs3;  // [S, E] float32 on the device
  mutable std::unique_ptr<face::FaceDetector> detector;  // loaded on first use
  DeltaCache deltas;
  std::recursive_mutex mutex;  // the networks are used by one thread at a time
  StrengthPreviewCache strength_previews;  // own lock: interpolation never waits for a render
  // The last photo pasted into, so slider moves don't decode it again.
  fs::path photo_path;
  face::RgbImage photo;

  face::FaceDetector& face_detector() const {
    if (!detector) detector = std::make_unique<face::FaceDetector>(paths.dlib_predictor);
    return *detector;
  }

  torch::Tensor to_device(const torch::Tensor& t) const { return t.to(dev.device, dev.dtype); }
};

EditEngine::EditEngine(const ModelPaths& models, const nets::ComputeDevice& device,
                       const Progress& progress)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  m.paths = models;
  m.dev = device;
  c10::InferenceMode guard;
  use_all_cores();
  report(progress, "loading the generator", 0.0);
  m.gen = nets::load_generator(models.generator, device);
  report(progress, "loading the e4e encoder", 0.25);
  m.e4e = nets::load_e4e(models.e4e, device);
  // Half the memory of the three largest models (1 GB of their 2.1 GB at full size), each as
  // soon as it is loaded, so that loading never holds them all in float32.
  const bool half = device.half_stored_weights && !device.is_cuda();
  if (half) m.e4e->net->store_weights_in_half();
  if (m.e4e->net->style_count() != m.gen->net->n_latent() ||
      m.e4e->net->style_dim() != m.gen->net->style_dim())
    throw io::ModelFileError(models.e4e, "encoder produces " + std::to_string(m.e4e->net->style_count()) +
                                             " x " + std::to_string(m.e4e->net->style_dim()) +
                                             " codes but the generator " + models.generator.string() +
                                             " takes " + std::to_string(m.gen->net->n_latent()) + " x " +
                                             std::to_string(m.gen->net->style_dim()));
  report(progress, "loading CLIP", 0.5);
  m.clip = nets::load_clip(models.clip, device);
  if (half) m.clip->net->store_weights_in_half();
  m.tokenizer = std::make_shared<const text::ClipTokenizer>(text::ClipTokenizer::from_file(models.clip_vocab));
  m.directions = std::make_unique<text::TextDirectionEncoder>(m.clip->net, m.tokenizer, m.clip->file);
  report(progress, "loading the mapper", 0.75);
  m.mapper = nets::load_delta_mapper(models.mapper, m.gen->net->s_widths(), device);
  if (half) m.mapper->net->store_weights_in_half();
  const int64_t s_dim = m.gen->net->s_dim();
  auto fs3 = io::load_npy(models.fs3);
  if (fs3.dim() != 2 || fs3.size(0) != s_dim || fs3.size(1) != m.clip->net->embed_dim())
    throw io::ModelFileError(models.fs3, "relevance matrix has shape " + c10::str(fs3.sizes()) +
                                             ", expected [" + std::to_string(s_dim) + ", " +
                                             std::to_string(m.clip->net->embed_dim()) + "]");
  m.fs3 = fs3.to(device.device, torch::kFloat32);
  report(progress, "models loaded", 1.0);
}

EditEngine::~EditEngine() = default;

const nets::ComputeDevice& EditEngine::device() const { return impl_->dev; }

double EditEngine::default_threshold() const { return impl_->paths.default_threshold; }

int64_t EditEngine::image_size() const { return impl_->gen->net->size(); }

std::vector<int64_t> EditEngine::preview_sizes() const {
  std::vector<int64_t> sizes;
  for (int64_t r = 4; r <= image_size(); r *= 2) sizes.push_back(r);
  return sizes;
}

std::vector<face::DetectedFace> EditEngine::detect_faces(const face::RgbImage& photo) const {
  std::lock_guard lock(impl_->mutex);
  return plausible_faces(impl_->face_detector().detect(photo));
}

EditSession EditEngine::open_photo(const fs::path& photo, const OpenOptions& options,
                                   const Progress& progress, const std::atomic<bool>* cancel) {
  report(progress, "reading the photo", 0.0);
  face::RgbImage image = face::load_photo(photo);
  check_cancel(cancel);
  return open_image(image, photo, options, progress, cancel);
}

EditSession EditEngine::open_image(const face::RgbImage& image, const fs::path& photo,
                                   const OpenOptions& options, const Progress& progress,
                                   const std::atomic<bool>* cancel) {
  std::lock_guard lock(impl_->mutex);
  auto& m = *impl_;
  c10::InferenceMode guard;
  EditSession session;
  session.photo = photo;
  session.aligned_input = options.aligned;
  session.face_index = options.face_index;

  face::AlignedFace aligned;
  if (options.aligned) {
    aligned = face::treat_as_aligned(image, std::max(image.width(), image.height()));
  } else {
    report(progress, "finding the face", 0.05);
    const auto faces = plausible_faces(m.face_detector().detect(image));
    check_cancel(cancel);
    if (faces.empty())
      throw NoFaceError(photo.string() +
                        ": no face found (if the photo is already an aligned face crop, open it as aligned)");
    if (options.face_index < 0 || options.face_index >= static_cast<int>(faces.size()))
      throw NoFaceError(photo.string() + ": face " + std::to_string(options.face_index) + " requested but " +
                        std::to_string(faces.size()) + " found");
    report(progress, "aligning the face", 0.2);
    face::AlignOptions align;
    align.output_size = kAlignedSize;
    aligned = face::align_face(image, faces[static_cast<size_t>(options.face_index)], align);
  }
  session.quad = quad_to_array(aligned.quad);
  check_cancel(cancel);

  // [1, 3, 256, 256] in [-1, 1], as the reference's Imagedataset transform makes it (the side
  // is the encoder's input size, read from its weights: 64 for the demo bundle's).
  report(progress, "inverting (e4e)", 0.35);
  auto x = nets::e4e_input_from_rgb8(rgb8_to_hwc_tensor(aligned.image),
                                     m.e4e->net->config().input_size())
               .to(m.dev.device, m.dev.dtype);
  auto wplus = nets::invert_to_wplus(*m.e4e, x);  // [1, n_latent, D]
  check_cancel(cancel);
  report(progress, "mapping to StyleSpace", 0.6);
  auto s = m.gen->net->w_to_s(wplus);  // [1, S]
  check_cancel(cancel);
  report(progress, "embedding the image (CLIP)", 0.7);
  auto clip_in = nets::deltaedit_resample(x, nets::deltaedit_resample_kernel(x.size(-1)));
  auto c = m.clip->net->encode_image(clip_in).to(torch::kFloat32);  // [1, E]
  c = c / c.norm(2, -1, true);
  session.wplus = wplus.to(torch::kCPU, torch::kFloat32);
  session.base_s = s.to(torch::kCPU, torch::kFloat32);
  session.image_embedding = c.to(torch::kCPU);
  report(progress, "ready", 1.0);
  return session;
}

torch::Tensor EditEngine::delta_s(const EditSession& session, const torch::Tensor& s,
                                  const EditStep& step) {
  std::lock_guard lock(impl_->mutex);
  auto& m = *impl_;
  c10::InferenceMode guard;
  const std::string key = tensor_hash(s) + '\x1f' + tensor_hash(session.image_embedding) + '\x1f' +
                          step.source + '\x1f' + step.target + '\x1f' + std::to_string(step.threshold);
  if (auto hit = m.deltas.get(key)) return *hit;
  const auto dir = m.directions->direction(step.target, step.source);  // raw + normalized [E]
  auto c = torch::cat({session.image_embedding.to(m.dev.device, torch::kFloat32),
                       dir.normalized.to(m.dev.device, torch::kFloat32).view({1, -1})},
                      1);                                                    // [1, 2E]
  auto ds = m.mapper->net->forward(m.to_device(s), m.to_device(c)).to(torch::kFloat32);  // [1, S]
  auto keep = nets::keep_mask(m.fs3, dir.raw.to(m.dev.device, torch::kFloat32), step.threshold);
  ds = nets::mask_delta_s(ds, keep).to(torch::kCPU);
  m.deltas.put(key, ds);
  return ds;
}

torch::Tensor EditEngine::edited_s(const EditSession& session, size_t count) {
  std::lock_guard lock(impl_->mutex);
  torch::Tensor s = session.base_s;
  for (size_t i = 0; i < session.edits.size() && i < count; ++i) {
    const auto& step = session.edits[i];
    s = s + step.strength * delta_s(session, s, step);
  }
  return s;
}

torch::Tensor EditEngine::render_tensor(const EditSession& session, const torch::Tensor& s,
                                        int64_t resolution) {
  std::lock_guard lock(impl_->mutex);
  auto& m = *impl_;
  c10::InferenceMode guard;
  const int64_t full = m.gen->net->size();
  if (resolution != 0 && (resolution < 4 || resolution > full || (resolution & (resolution - 1)) != 0))
    throw std::invalid_argument("preview resolution " + std::to_string(resolution) +
                                " is not a power of two between 4 and " + std::to_string(full));
  auto img = m.gen->net->synthesize_s(m.to_device(s), m.to_device(session.wplus),
                                      resolution == full ? 0 : resolution);
  return img.to(torch::kCPU, torch::kFloat32);
}

face::RgbImage EditEngine::render(const EditSession& session, const torch::Tensor& s,
                                  int64_t resolution) {
  return image_tensor_to_rgb8(render_tensor(session, s, resolution));
}

EditEngine::StrengthLine EditEngine::strength_line(const EditSession& session, int64_t resolution) {
  // S before the last edit and the last edit's direction: S(alpha) = s0 + alpha * ds.
  StrengthLine line;
  line.s0 = edited_s(session, session.edits.size() - 1);
  line.ds = delta_s(session, line.s0, session.edits.back());
  line.alpha = session.edits.back().strength;
  line.key = tensor_hash(line.s0) + '\x1f' + tensor_hash(line.ds) + '\x1f' +
             tensor_hash(session.wplus) + '\x1f' + std::to_string(resolution);
  return line;
}

torch::Tensor EditEngine::strength_preview_tensor(const EditSession& session, int64_t resolution,
                                                  bool* interpolated) {
  if (interpolated) *interpolated = false;
  if (session.edits.empty()) return render_tensor(session, session.base_s, resolution);
  const StrengthLine line = strength_line(session, resolution);
  auto& cache = impl_->strength_previews;
  cache.use_line(line.key);
  if (auto hit = cache.interpolate(line.alpha)) {
    if (interpolated) *interpolated = true;
    return *hit;
  }
  torch::Tensor image = render_tensor(session, line.s0 + line.alpha * line.ds, resolution);
  cache.add(line.alpha, image);  // kept when the strength is a grid point
  return image;
}

face::RgbImage EditEngine::strength_preview(const EditSession& session, int64_t resolution,
                                            bool* interpolated) {
  return image_tensor_to_rgb8(strength_preview_tensor(session, resolution, interpolated));
}

bool EditEngine::prefetch_strength_preview(const EditSession& session, int64_t resolution) {
  if (session.edits.empty()) return false;
  const StrengthLine line = strength_line(session, resolution);
  auto& cache = impl_->strength_previews;
  cache.use_line(line.key);
  const auto alpha = cache.next_missing(line.alpha);
  if (!alpha) return false;
  cache.add(*alpha, render_tensor(session, line.s0 + *alpha * line.ds, resolution));
  return true;
}

face::RgbImage EditEngine::paste_back(const EditSession& session, const face::RgbImage& face_image) {
  std::lock_guard lock(impl_->mutex);
  auto& m = *impl_;
  if (session.aligned_input) return face_image;
  if (m.photo_path != session.photo || m.photo.empty()) {
    m.photo = face::load_photo(session.photo);
    m.photo_path = session.photo;
  }
  // The alignment as seen from the edited face's own size (the transform is all paste-back needs;
  // the image header just tells it that size, without copying pixels).
  face::AlignedFace alignment;
  alignment.quad = quad_from_array(session.quad);
  alignment.photo_to_aligned = face::photo_to_square(alignment.quad, face_image.width());
  alignment.image.pixels = cv::Mat(face_image.pixels.size(), CV_8UC3, face_image.pixels.data);
  return face::paste_back(m.photo, alignment, face_image);
}

}  // namespace deltaedit::engine
