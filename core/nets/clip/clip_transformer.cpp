#include "core/nets/clip/clip_transformer.h"

#include <cmath>
#include <limits>

#include "core/nets/common/half_storage.h"

namespace deltaedit::nets {

torch::Tensor layer_norm_fp32(const torch::nn::LayerNorm& ln, const torch::Tensor& x) {
  const auto& opts = ln->options;
  const auto f32 = torch::kFloat32;  // .to() is a no-op for float32 tensors
  return torch::layer_norm(x.to(f32), opts.normalized_shape(), ln->weight.to(f32),
                           ln->bias.to(f32), opts.eps())
      .to(x.scalar_type());
}

ClipSelfAttentionImpl::ClipSelfAttentionImpl(int64_t width, int64_t heads) : heads_(heads) {
  TORCH_CHECK(heads > 0 && width % heads == 0, "attention width ", width,
              " is not divisible into ", heads, " heads");
  // Values come from the checkpoint; the random init only keeps a fresh model finite.
  in_proj_weight = register_parameter("in_proj_weight", torch::randn({3 * width, width}) * 0.02);
  in_proj_bias = register_parameter("in_proj_bias", torch::zeros({3 * width}));
  out_proj = register_module("out_proj", torch::nn::Linear(width, width));
}

torch::Tensor ClipSelfAttentionImpl::forward(const torch::Tensor& x, const torch::Tensor& mask) {
  return forward_after(x, {}, mask);
}

torch::Tensor ClipSelfAttentionImpl::forward_after(const torch::Tensor& x, const KeyValues& past,
                                                   const torch::Tensor& mask,
                                                   KeyValues* present) {
  const int64_t n = x.size(0), len = x.size(1), width = x.size(2);
  const int64_t head_dim = width / heads_;
  // [N, S, 3D] -> [3, N, H, S, Dh]
  auto qkv = torch::linear(x, widened_to(in_proj_weight, x), in_proj_bias)
                 .view({n, len, 3, heads_, head_dim})
                 .permute({2, 0, 3, 1, 4});
  auto q = qkv[0] * (1.0 / std::sqrt(static_cast<double>(head_dim)));
  auto k = qkv[1];
  auto v = qkv[2];
  if (present) *present = {k, v};
  if (past.keys.defined()) {
    k = torch::cat({past.keys, k}, 2);  // [N, H, P + S, Dh]
    v = torch::cat({past.values, v}, 2);
  }
  auto scores = torch::matmul(q, k.transpose(-2, -1));  // [N, H, S, P + S]
  if (mask.defined()) scores = scores + mask;
  // Softmax in float32 so that fp16 scores cannot overflow the exponent sum.
  auto weights = torch::softmax(scores, -1, torch::kFloat32).to(x.scalar_type());
  auto out = torch::matmul(weights, v)  // [N, H, S, Dh]
                 .transpose(1, 2)
                 .reshape({n, len, width});
  return torch::linear(out, widened_to(out_proj->weight, out), out_proj->bias);
}

ClipMlpImpl::ClipMlpImpl(int64_t width) {
  c_fc = register_module("c_fc", torch::nn::Linear(width, 4 * width));
  c_proj = register_module("c_proj", torch::nn::Linear(4 * width, width));
}

torch::Tensor ClipMlpImpl::forward(const torch::Tensor& x) {
  auto h = torch::linear(x, widened_to(c_fc->weight, x), c_fc->bias);  // [..., 4D]
  h = h * torch::sigmoid(1.702 * h);  // QuickGELU, as the CLIP checkpoints were trained with
  return torch::linear(h, widened_to(c_proj->weight, h), c_proj->bias);
}

ResidualAttentionBlockImpl::ResidualAttentionBlockImpl(int64_t width, int64_t heads) {
  attn = register_module("attn", ClipSelfAttention(width, heads));
  ln_1 = register_module("ln_1", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
  mlp = register_module("mlp", ClipMlp(width));
  ln_2 = register_module("ln_2", torch::nn::LayerNorm(torch::nn::LayerNormOptions({width})));
}

torch::Tensor ResidualAttentionBlockImpl::forward(const torch::Tensor& x,
                                                  const torch::Tensor& mask) {
  return forward_after(x, {}, mask);
}

torch::Tensor ResidualAttentionBlockImpl::forward_after(const torch::Tensor& x,
                                                        const KeyValues& past,
                                                        const torch::Tensor& mask,
                                                        KeyValues* present) {
  auto h = x + attn->forward_after(layer_norm_fp32(ln_1, x), past, mask, present);
  return h + mlp->forward(layer_norm_fp32(ln_2, h));
}

ClipTransformerImpl::ClipTransformerImpl(int64_t width, int64_t layers, int64_t heads) {
  for (int64_t i = 0; i < layers; ++i) resblocks->push_back(ResidualAttentionBlock(width, heads));
  resblocks = register_module("resblocks", resblocks);
}

torch::Tensor ClipTransformerImpl::forward(torch::Tensor x, const torch::Tensor& mask) {
  for (const auto& block : *resblocks) x = block->as<ResidualAttentionBlock>()->forward(x, mask);
  return x;
}

torch::Tensor causal_mask(int64_t length, const torch::TensorOptions& options) {
  return torch::full({length, length}, -std::numeric_limits<float>::infinity(), options).triu(1);
}

}  // namespace deltaedit::nets
