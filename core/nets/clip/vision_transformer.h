#pragma once
// CLIP's image tower (clip/model.py VisionTransformer): patch embedding by a bias-free strided
// conv, a learned class token, positional embedding, ln_pre, transformer, ln_post on the class
// token, then the projection to the joint embedding space. Names equal the checkpoint's
// "visual.*" keys without the prefix.
#include <torch/torch.h>

#include "core/nets/clip/clip_config.h"
#include "core/nets/clip/clip_transformer.h"

namespace deltaedit::nets {

class VisionTransformerImpl : public torch::nn::Module {
 public:
  explicit VisionTransformerImpl(const ClipConfig& cfg);

  // [N, 3, R, R] -> [N, 1 + G*G, W]: tokens after ln_pre, class token first.
  torch::Tensor ln_pre_tokens(const torch::Tensor& image);
  // [N, 3, R, R] -> [N, W]: class token after the transformer and ln_post, before proj.
  torch::Tensor ln_post_class(const torch::Tensor& image);
  // [N, 3, R, R] -> [N, E]
  torch::Tensor forward(const torch::Tensor& image);

  torch::nn::Conv2d conv1{nullptr};
  torch::Tensor class_embedding;       // [W]
  torch::Tensor positional_embedding;  // [1 + G*G, W]
  torch::nn::LayerNorm ln_pre{nullptr};
  ClipTransformer transformer{nullptr};
  torch::nn::LayerNorm ln_post{nullptr};
  torch::Tensor proj;  // [W, E]

 private:
  int64_t resolution_;
};
TORCH_MODULE(VisionTransformer);

}  // namespace deltaedit::nets
