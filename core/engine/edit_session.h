#pragma once
// An edit session as a value: the photo, how its face was aligned, its inversion (W+, base S)
// and the edits applied. Saved to a versioned, checksummed file written atomically; the GUI's
// undo stack and autosave store these.
#include <array>
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/engine/edit_step.h"

namespace deltaedit::engine {

struct EditSession {
  static constexpr int kFormatVersion = 1;

  std::filesystem::path photo;         // the original photo as opened
  bool aligned_input = false;          // photo was taken as an FFHQ-aligned crop
  int face_index = 0;                  // which detected face (largest first)
  std::array<double, 8> quad{};        // aligned-crop corners in photo pixels (x0,y0,...,x3,y3)
  torch::Tensor wplus;                 // [1, n_latent, style_dim] float32 CPU
  torch::Tensor base_s;                // [1, S] float32 CPU
  torch::Tensor image_embedding;       // [1, E] unit norm, float32 CPU
  std::vector<EditStep> edits;         // applied in order

  bool operator==(const EditSession& o) const;
};

// Atomic write (temp file + rename). Throws std::runtime_error naming the file.
void save_session(const std::filesystem::path& file, const EditSession& session);

// Throws SessionFileError naming the file for a corrupt, truncated, altered or newer file.
EditSession load_session(const std::filesystem::path& file);

class SessionFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace deltaedit::engine
