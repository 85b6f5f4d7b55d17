#pragma once
// The transformer shared by both CLIP towers (clip/model.py Transformer): pre-LayerNorm residual
// blocks of nn.MultiheadAttention + an MLP with QuickGELU. Parameter names equal the checkpoint's
// ("resblocks.3.attn.in_proj_weight", "resblocks.3.mlp.c_fc.bias", ...).
//
// Tensors are batch-first here ([N, L, D]); the reference runs [L, N, D], which is the same
// arithmetic per sequence.
#include <torch/torch.h>

namespace deltaedit::nets {

// CLIP's LayerNorm subclass: always computed in float32 (matters for fp16 on CUDA), result in
// the input's dtype.
torch::Tensor layer_norm_fp32(const torch::nn::LayerNorm& ln, const torch::Tensor& x);

// One layer's attention keys and values, [N, H, L, Dh] each.
struct KeyValues {
  torch::Tensor keys;
  torch::Tensor values;
};

// nn.MultiheadAttention restricted to what CLIP uses: self-attention, packed q/k/v projection,
// no bias_k/bias_v, optional additive mask.
class ClipSelfAttentionImpl : public torch::nn::Module {
 public:
  ClipSelfAttentionImpl(int64_t width, int64_t heads);

  // [N, L, D], mask [L, L] additive (or undefined) -> [N, L, D]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {});

  // The same for S new tokens that also attend to earlier tokens' keys and values `past`
  // ([N, H, P, Dh] each, or undefined for none). Keys are ordered past first; the additive mask
  // [N or 1, 1, S, P + S] says which each query sees. [N, S, D] -> [N, S, D]; `present`, when
  // given, receives the new tokens' own keys and values.
  torch::Tensor forward_after(const torch::Tensor& x, const KeyValues& past,
                              const torch::Tensor& mask, KeyValues* present = nullptr);

  torch::Tensor in_proj_weight;  // [3D, D]: q, k, v stacked
  torch::Tensor in_proj_bias;    // [3D]
  torch::nn::Linear out_proj{nullptr};

 private:
  int64_t heads_;
};
TORCH_MODULE(ClipSelfAttention);

// c_fc -> QuickGELU (x * sigmoid(1.702 x)) -> c_proj.
class ClipMlpImpl : public torch::nn::Module {
 public:
  explicit ClipMlpImpl(int64_t width);

  // [..., D] -> [..., D]
  torch::Tensor forward(const torch::Tensor& x);

  torch::nn::Linear c_fc{nullptr};
  torch::nn::Linear c_proj{nullptr};
};
TORCH_MODULE(ClipMlp);

class ResidualAttentionBlockImpl : public torch::nn::Module {
 public:
  ResidualAttentionBlockImpl(int64_t width, int64_t heads);

  // [N, L, D] -> [N, L, D]
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& mask = {});
  // With earlier tokens' keys and values, as ClipSelfAttention::forward_after: [N, S, D] ->
  // [N, S, D].
  torch::Tensor forward_after(const torch::Tensor& x, const KeyValues& past,
                              const torch::Tensor& mask, KeyValues* present = nullptr);

  ClipSelfAttention attn{nullptr};
  torch::nn::LayerNorm ln_1{nullptr};
  ClipMlp mlp{nullptr};
  torch::nn::LayerNorm ln_2{nullptr};
};
TORCH_MODULE(ResidualAttentionBlock);

class ClipTransformerImpl : public torch::nn::Module {
 public:
  ClipTransformerImpl(int64_t width, int64_t layers, int64_t heads);

  // [N, L, D], mask [L, L] additive (or undefined) -> [N, L, D]
  torch::Tensor forward(torch::Tensor x, const torch::Tensor& mask = {});

  torch::nn::ModuleList resblocks;
};
TORCH_MODULE(ClipTransformer);

// Additive causal mask for the text tower: 0 on and below the diagonal, -inf above. [L, L]
torch::Tensor causal_mask(int64_t length, const torch::TensorOptions& options);

}  // namespace deltaedit::nets
