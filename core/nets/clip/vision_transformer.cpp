#include "core/nets/clip/vision_transformer.h"

#include <sstream>
#include <stdexcept>

namespace deltaedit::nets {

VisionTransformerImpl::VisionTransformerImpl(const ClipConfig& cfg)
    : resolution_(cfg.image_resolution) {
  const int64_t w = cfg.vision_width, grid = cfg.vision_grid();
  conv1 = register_module(
      "conv1", torch::nn::Conv2d(torch::nn::Conv2dOptions(3, w, cfg.vision_patch_size)
                                     .stride(cfg.vision_patch_size)
                                     .bias(false)));
  const double scale = 1.0 / std::sqrt(static_cast<double>(w));
  class_embedding = register_parameter("class_embedding", torch::randn({w}) * scale);
  positional_embedding =
      register_parameter("positional_embedding", torch::randn({1 + grid * grid, w}) * scale);
  ln_pre = register_module("ln_pre", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w})));
  transformer = register_module("transformer",
                                ClipTransformer(w, cfg.vision_layers, cfg.vision_heads));
  ln_post = register_module("ln_post", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w})));
  proj = register_parameter("proj", torch::randn({w, cfg.embed_dim}) * scale);
}

torch::Tensor VisionTransformerImpl::ln_pre_tokens(const torch::Tensor& image) {
  if (image.dim() != 4 || image.size(1) != 3 || image.size(2) != resolution_ ||
      image.size(3) != resolution_) {
    std::ostringstream ss;
    ss << "CLIP encode_image expects [N, 3, " << resolution_ << ", " << resolution_
       << "] images, got " << image.sizes();
    throw std::invalid_argument(ss.str());
  }
  auto x = conv1->forward(image.to(proj.device(), proj.scalar_type()));  // [N, W, G, G]
  x = x.flatten(2).transpose(1, 2);                                     // [N, G*G, W]
  auto cls = class_embedding.to(x.scalar_type()).expand({x.size(0), 1, x.size(2)});
  x = torch::cat({cls, x}, 1) + positional_embedding.to(x.scalar_type());  // [N, 1+G*G, W]
  return layer_norm_fp32(ln_pre, x);
}

torch::Tensor VisionTransformerImpl::ln_post_class(const torch::Tensor& image) {
  auto x = transformer->forward(ln_pre_tokens(image));  // [N, 1+G*G, W]
  return layer_norm_fp32(ln_post, x.select(1, 0));      // [N, W]
}

torch::Tensor VisionTransformerImpl::forward(const torch::Tensor& image) {
  return torch::matmul(ln_post_class(image), proj);  // [N, E]
}

}  // namespace deltaedit::nets
