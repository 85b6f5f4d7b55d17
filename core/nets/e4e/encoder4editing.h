#pragma once
// Encoder4Editing (e4e, models/encoders/psp_encoders.py, as bundled by DeltaEdit): an IR-SE-50
// body, a two-level FPN and one GradualStyleBlock per W+ slot. Inference is e4e's progressive
// stage "Inference": w0 = styles[0](c3) in every slot plus a delta per slot i >= 1, computed from
// c3 (coarse slots), p2 (middle) or p1 (fine). Parameter names equal the checkpoint keys after
// the "encoder." prefix.
#include <filesystem>

#include <torch/torch.h>

#include "core/io/state_dict.h"
#include "core/nets/common/device.h"
#include "core/nets/e4e/e4e_blocks.h"
#include "core/nets/e4e/e4e_config.h"

namespace deltaedit::nets {

// Intermediate results of one forward, for tests and debugging.
struct E4eFeatures {
  torch::Tensor c1;      // end of stage 2, [B, depth2, H/4, W/4]
  torch::Tensor c2;      // end of stage 3, [B, depth3, H/8, W/8]
  torch::Tensor c3;      // end of stage 4, [B, depth4, H/16, W/16]
  torch::Tensor p2;      // c3 upsampled onto latlayer1(c2), [B, fpn, H/8, W/8]
  torch::Tensor style0;  // w0 = styles[0](c3), [B, style_dim]
  torch::Tensor codes;   // [B, style_count, style_dim] (no latent_avg)
};

class Encoder4EditingImpl : public torch::nn::Module {
 public:
  static E4eConfig infer_config(const io::StateDict& encoder_weights) {
    return infer_e4e_config(encoder_weights);
  }
  explicit Encoder4EditingImpl(const E4eConfig& cfg);

  int64_t style_count() const { return cfg_.style_count(); }
  int64_t style_dim() const { return cfg_.style_dim(); }
  const E4eConfig& config() const { return cfg_; }

  // [B, 3, 256, 256] in [-1, 1] -> codes [B, style_count, style_dim] (without latent_avg)
  torch::Tensor forward(const torch::Tensor& x);
  // Stores the convolution and linear weights of the body and the style blocks (1.06 of e4e's
  // 1.07 GB at full size) in float16 on CPU, widened per layer when they run
  // (half_storage.h). Returns the bytes saved.
  int64_t store_weights_in_half();
  // The same forward, keeping the intermediate features.
  E4eFeatures forward_features(const torch::Tensor& x);

  torch::nn::Sequential input_layer{nullptr};  // Conv3x3 (no bias), BN, PReLU
  torch::nn::ModuleList body{nullptr};         // BottleneckIRSE units
  torch::nn::ModuleList styles{nullptr};       // GradualStyleBlocks
  torch::nn::Conv2d latlayer1{nullptr};        // 1x1: c2 -> fpn width
  torch::nn::Conv2d latlayer2{nullptr};        // 1x1: c1 -> fpn width

 private:
  E4eFeatures run(const torch::Tensor& x, bool keep_features);

  E4eConfig cfg_;
  std::vector<BottleneckIRSE> units_;
  std::vector<GradualStyleBlock> style_blocks_;
};
TORCH_MODULE(Encoder4Editing);

// Builds the encoder from its weights (keys without "encoder."), strictly loaded, in eval mode,
// on the CPU in float32. Throws io::ModelFileError naming the file, key and shapes.
Encoder4Editing e4e_from_weights(const io::StateDict& encoder_weights);

struct LoadedE4e {
  Encoder4Editing net{nullptr};
  torch::Tensor latent_avg;  // float32 on the net's device: [style_dim] or [style_count, style_dim]
  std::filesystem::path file;
};

// Reads an e4e checkpoint {'state_dict': 'encoder.*' + 'decoder.*', 'latent_avg', 'opts'} and
// puts the encoder on `dev` (its device and dtype). Throws io::ModelFileError.
LoadedE4e load_e4e(const std::filesystem::path& file, const ComputeDevice& dev);

// codes + latent_avg: [B, 3, 256, 256] in [-1, 1] (any device/dtype) -> W+ [B, style_count,
// style_dim] on the net's device, in its dtype (float32 on CPU, float16 on CUDA).
torch::Tensor invert_to_wplus(LoadedE4e& e4e, const torch::Tensor& x);

}  // namespace deltaedit::nets
