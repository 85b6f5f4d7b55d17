#pragma once
// OpenAI CLIP, ViT variant (clip/model.py CLIP): image tower `visual`, text tower (token and
// positional embeddings, causal transformer, ln_final, text_projection) and logit_scale.
// Module and parameter names equal the checkpoint keys ("visual.conv1.weight",
// "transformer.resblocks.0.attn.in_proj_weight", "ln_final.weight", ...), so weights load
// name-for-name. Every size is inferred from the weights exactly as build_model does.
#include <filesystem>

#include <torch/torch.h>

#include "core/io/state_dict.h"
#include "core/nets/clip/clip_config.h"
#include "core/nets/clip/clip_transformer.h"
#include "core/nets/clip/vision_transformer.h"
#include "core/nets/common/device.h"

namespace deltaedit::nets {

class ClipModelImpl : public torch::nn::Module {
 public:
  // build_model's inference (heads = width / 64, layers counted from the keys, patch size from
  // conv1, grid from the positional embedding, embed_dim from text_projection). Throws
  // io::ModelFileError naming the file and the missing key or the unsupported layout.
  static ClipConfig infer_config(const io::StateDict& weights);

  // Parameters are allocated with placeholder values; load_weights() sets them.
  explicit ClipModelImpl(const ClipConfig& cfg);

  const ClipConfig& config() const { return cfg_; }
  int64_t embed_dim() const { return cfg_.embed_dim; }
  int64_t context_length() const { return cfg_.context_length; }
  int64_t image_resolution() const { return cfg_.image_resolution; }
  int64_t vocab_size() const { return cfg_.vocab_size; }

  // Images already resampled to the resolution (DeltaEdit: deltaedit_resample, no mean/std),
  // any dtype/device: [N, 3, R, R] -> [N, E] in the network's dtype and device, NOT normalized.
  torch::Tensor encode_image(const torch::Tensor& image);

  // Token ids (clip.tokenize layout): [N, L<=context] int64 -> [N, E], NOT normalized. Features
  // are read at the FIRST position of the largest id (ids.argmax(-1)). With cut_after_eot the
  // sequences are shortened to end at the last such position (of each length bucket of the
  // batch): exact, because the causal mask makes those outputs independent of
  // later tokens, and much faster for prompts.
  torch::Tensor encode_text(const torch::Tensor& ids, bool cut_after_eot = true);

  // Debug/test hooks (the reference's intermediate values).
  // [N, 3, R, R] -> [N, 1 + G*G, Wv]: vision tokens after ln_pre, class token first.
  torch::Tensor image_ln_pre(const torch::Tensor& image);
  // [N, 3, R, R] -> [N, Wv]: class token after ln_post, before visual.proj.
  torch::Tensor image_ln_post(const torch::Tensor& image);
  // [N, L] -> [N, L, Wt]: text transformer output after ln_final (full length, no cut).
  torch::Tensor text_ln_final(const torch::Tensor& ids);

  // Stores the attention and MLP weights of both towers (123 of ViT-B/32's 151 M parameters) in
  // float16 on CPU, widened per layer when they run (half_storage.h). Exact for the released
  // weights, which hold these in float16 (the token embedding, float32 there, stays so).
  // Returns the bytes saved.
  int64_t store_weights_in_half();

  // [N, L] int64 -> [N]: position encode_text reads (first occurrence of the row maximum).
  static torch::Tensor eot_positions(const torch::Tensor& ids);

  VisionTransformer visual{nullptr};
  ClipTransformer transformer{nullptr};
  torch::nn::Embedding token_embedding{nullptr};
  torch::Tensor positional_embedding;  // [context, Wt]
  torch::nn::LayerNorm ln_final{nullptr};
  torch::Tensor text_projection;  // [Wt, E]
  torch::Tensor logit_scale;      // [] (log of the contrastive temperature; unused by DeltaEdit)

 private:
  // [N, L] ids (checked) -> [N, L, Wt] after ln_final.
  torch::Tensor text_tokens(const torch::Tensor& ids);
  ClipConfig cfg_;
};
TORCH_MODULE(ClipModel);

struct LoadedClip {
  ClipModel net;
  std::filesystem::path file;
};

// Entries of the released TorchScript archive that are not network weights.
const std::vector<std::string>& clip_archive_extra_keys();

// Loads a TorchScript archive (official ViT-B-32.pt layout) or a torch.save state dict, infers
// the architecture, loads the weights strictly and moves the network to `dev` (fp16-stored
// weights are computed in float32 on CPU, in the device's dtype on CUDA). The network is in
// eval mode. Throws io::ModelFileError naming the file and the problem.
LoadedClip load_clip(const std::filesystem::path& file, const ComputeDevice& dev);

// The same from an already read state dict (its source() names the file in errors).
ClipModel build_clip(const io::StateDict& weights, const ComputeDevice& dev);

}  // namespace deltaedit::nets
