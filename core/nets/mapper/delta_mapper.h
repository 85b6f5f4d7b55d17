#pragma once
// DeltaEdit's DeltaMapper: predicts an S-space edit delta_s from an S code and the condition
// [unit CLIP image embedding, unit text delta]. The S vector is split into coarse (first 3 conv
// layers), medium (next 4) and fine (the rest) parts; each part goes through a style module
// (sm_*), the condition through a condition module (cm_*), and their concatenation through a
// fusion module (fm_*). The coarse/medium parts are processed as [B, layers, width] stacks.
#include <cstdint>
#include <filesystem>
#include <vector>

#include <torch/torch.h>

#include "core/io/state_dict.h"
#include "core/nets/common/device.h"
#include "core/nets/mapper/mapper_block.h"

namespace deltaedit::nets {

struct DeltaMapperConfig {
  int64_t coarse_layers = 3;  // architecture constants of DeltaMapper (not stored in the weights)
  int64_t medium_layers = 4;
  int64_t style_width = 0;    // width of each coarse/medium S layer (512 at 1024)
  int64_t fine_dim = 0;       // channels of the remaining S layers together (2464 at 1024)
  int64_t condition_dim = 0;  // 2 * CLIP embed dim (1024 for ViT-B/32)
  int64_t depth = 0;          // EqualLinear layers per module (4)

  int64_t coarse_dim() const { return coarse_layers * style_width; }
  int64_t medium_dim() const { return medium_layers * style_width; }
  int64_t sspace_dim() const { return coarse_dim() + medium_dim() + fine_dim; }
};

class DeltaMapperImpl : public torch::nn::Module {
 public:
  // Sizes from the weights; `s_widths` (the generator's per-conv-layer S widths) must agree with
  // them, else io::ModelFileError naming the weights' file.
  static DeltaMapperConfig infer_config(const io::StateDict& w,
                                        const std::vector<int64_t>& s_widths);

  explicit DeltaMapperImpl(const DeltaMapperConfig& cfg);

  // s [B, S], c [B, 2E] -> delta_s [B, S]
  torch::Tensor forward(const torch::Tensor& s, const torch::Tensor& c);

  const DeltaMapperConfig& config() const { return cfg_; }

  // Stores every EqualLinear weight (all but 0.1% of the parameters) in float16 on CPU, widened
  // per layer when it runs (half_storage.h). Returns the bytes saved.
  int64_t store_weights_in_half();

 private:
  DeltaMapperConfig cfg_;

 public:
  MapperBlock sm_coarse{nullptr}, sm_medium{nullptr}, sm_fine{nullptr};  // style modules
  MapperBlock cm_coarse{nullptr}, cm_medium{nullptr}, cm_fine{nullptr};  // condition modules
  MapperBlock fm_coarse{nullptr}, fm_medium{nullptr}, fm_fine{nullptr};  // fusion modules
};
TORCH_MODULE(DeltaMapper);

struct LoadedMapper {
  DeltaMapper net;
  std::filesystem::path file;
};

// Builds the mapper from weights already read (strict name/shape check, io::ModelFileError).
DeltaMapper build_delta_mapper(const io::StateDict& w, const std::vector<int64_t>& s_widths);

// Reads net_face.pth (a plain state dict), checks it against the generator's S widths, and
// returns the mapper in eval mode on `dev` (its device and dtype). Throws io::ModelFileError.
LoadedMapper load_delta_mapper(const std::filesystem::path& file,
                               const std::vector<int64_t>& s_widths, const ComputeDevice& dev);

}  // namespace deltaedit::nets
