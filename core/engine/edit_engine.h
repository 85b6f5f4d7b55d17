#pragma once
// The product's core API (used by the CLI and the GUI): load the networks once, turn a photo
// into an edit session (detect, align, invert, embed), compute edits with caching, render at
// full or preview resolution, paste the face back into the photo.
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/engine/edit_session.h"
#include "core/engine/edit_step.h"
#include "core/engine/model_bundle.h"
#include "core/face/face_detector.h"
#include "core/face/image_io.h"
#include "core/nets/common/device.h"

namespace deltaedit::engine {

// Reports a stage name and the fraction done of the whole operation, in [0, 1].
using Progress = std::function<void(const std::string& stage, double fraction)>;

class CancelledError : public std::runtime_error {
 public:
  CancelledError() : std::runtime_error("cancelled") {}
};

class NoFaceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct OpenOptions {
  bool aligned = false;  // the photo is already an FFHQ-aligned crop: skip detection
  int face_index = 0;    // which face, largest first
};

class EditEngine {
 public:
  // Loads every network onto `device`. Throws io::ModelFileError naming a bad file.
  EditEngine(const ModelPaths& models, const nets::ComputeDevice& device, const Progress& progress = {});
  ~EditEngine();
  EditEngine(const EditEngine&) = delete;
  EditEngine& operator=(const EditEngine&) = delete;

  const nets::ComputeDevice& device() const;
  // The bundle's recommended relevance threshold beta (ModelPaths::default_threshold).
  double default_threshold() const;
  int64_t image_size() const;                 // generator output side (1024 for FFHQ)
  std::vector<int64_t> preview_sizes() const; // resolutions of the skip images (4 ... image_size)

  // Faces in a photo, largest first (for the GUI's picker).
  std::vector<face::DetectedFace> detect_faces(const face::RgbImage& photo) const;

  // Photo -> session: detect + align (unless options.aligned), e4e -> W+ -> S, CLIP embedding.
  // Throws face::ImageError, NoFaceError, CancelledError.
  EditSession open_photo(const std::filesystem::path& photo, const OpenOptions& options = {},
                         const Progress& progress = {}, const std::atomic<bool>* cancel = nullptr);

  // Same from an image already in memory (photo path kept only as a reference).
  EditSession open_image(const face::RgbImage& image, const std::filesystem::path& photo,
                         const OpenOptions& options = {}, const Progress& progress = {},
                         const std::atomic<bool>* cancel = nullptr);

  // Masked StyleSpace direction of one edit applied on top of `s` ([1, S] -> [1, S]); cached per
  // (s, prompts, threshold), so a slider move never runs CLIP or the mapper again.
  torch::Tensor delta_s(const EditSession& session, const torch::Tensor& s, const EditStep& step);

  // S after the first `count` edits of the session (all by default): s_k = s_{k-1} + a_k * ds_k.
  torch::Tensor edited_s(const EditSession& session, size_t count = SIZE_MAX);

  // Renders S (toRGB styles from the session's W+) at the generator's size (resolution 0) or a
  // preview resolution from the skip images. RGB8, resolution x resolution.
  face::RgbImage render(const EditSession& session, const torch::Tensor& s, int64_t resolution = 0);

  // The same as a float tensor [1, 3, r, r] in [-1, 1] on the CPU (before 8-bit rounding).
  torch::Tensor render_tensor(const EditSession& session, const torch::Tensor& s, int64_t resolution = 0);

  // While the strength of the session's LAST edit is being dragged: the preview at `resolution`
  // for its current strength, interpolated along the strength from exact previews cached at
  // neighbouring grid strengths (see StrengthPreviewCache) when they exist, else rendered
  // exactly. `interpolated`, when given, tells which. Sessions without edits render exactly.
  torch::Tensor strength_preview_tensor(const EditSession& session, int64_t resolution,
                                        bool* interpolated = nullptr);
  face::RgbImage strength_preview(const EditSession& session, int64_t resolution,
                                  bool* interpolated = nullptr);
  // Idle-time work: renders one missing grid strength next to the last edit's strength. Returns
  // false when the neighbourhood is complete (or the session has no edit).
  bool prefetch_strength_preview(const EditSession& session, int64_t resolution);

  // The whole photo with `face` (any size, aligned crop) pasted back with a feathered mask; for
  // aligned input the face itself.
  face::RgbImage paste_back(const EditSession& session, const face::RgbImage& face);

 private:
  struct StrengthLine {
    torch::Tensor s0, ds;  // [1, S] each
    double alpha = 0;
    std::string key;
  };
  StrengthLine strength_line(const EditSession& session, int64_t resolution);

  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltaedit::engine
