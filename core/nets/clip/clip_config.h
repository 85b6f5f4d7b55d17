#pragma once
// CLIP ViT hyper-parameters, as clip.model.build_model infers them from a state dict (see
// ClipModelImpl::infer_config). Nothing here is ever hard-coded: ViT-B/32 and the small
// fixture model differ only in these numbers.
#include <cstdint>

namespace deltaedit::nets {

struct ClipConfig {
  int64_t embed_dim = 0;           // text_projection.shape[1]
  int64_t image_resolution = 0;    // vision_patch_size * grid
  int64_t vision_layers = 0;       // number of visual.transformer.resblocks
  int64_t vision_width = 0;        // visual.conv1.weight.shape[0]
  int64_t vision_patch_size = 0;   // visual.conv1.weight.shape[-1]
  int64_t vision_heads = 0;        // vision_width / 64 (not stored)
  int64_t context_length = 0;      // positional_embedding.shape[0]
  int64_t vocab_size = 0;          // token_embedding.weight.shape[0]
  int64_t transformer_width = 0;   // ln_final.weight.shape[0]
  int64_t transformer_heads = 0;   // transformer_width / 64 (not stored)
  int64_t transformer_layers = 0;  // number of transformer.resblocks

  int64_t vision_grid() const { return vision_patch_size ? image_resolution / vision_patch_size : 0; }
};

}  // namespace deltaedit::nets
