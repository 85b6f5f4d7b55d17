#include "core/nets/clip/clip_model.h"

#include <cmath>
#include <set>
#include <sstream>
#include <stdexcept>

#include "core/io/model_file_error.h"
#include "core/nets/clip/length_buckets.h"
#include "core/nets/common/half_storage.h"
#include "core/nets/common/weights.h"

namespace deltaedit::nets {
namespace {

// Shape of `key`, which must have `rank` dimensions.
std::vector<int64_t> shape_with_rank(const io::StateDict& weights, const std::string& key,
                                     size_t rank) {
  auto shape = shape_of(weights, key);
  if (shape.size() != rank) {
    std::ostringstream ss;
    ss << "key '" << key << "': expected a " << rank << "-D tensor, found shape "
       << c10::IntArrayRef(shape);
    throw io::ModelFileError(weights.source(), ss.str());
  }
  return shape;
}

// build_model: heads = width // 64. Refuse widths that would give no head or a remainder.
int64_t heads_for(const io::StateDict& weights, const std::string& what, int64_t width) {
  if (width < 64 || width % 64 != 0)
    throw io::ModelFileError(weights.source(), what + " width " + std::to_string(width) +
                                                   " is not a multiple of 64 (CLIP uses "
                                                   "width / 64 attention heads)");
  return width / 64;
}

// Throws std::invalid_argument unless ids are [N, 1..context] integers inside the vocabulary.
void check_ids(const torch::Tensor& ids, const ClipConfig& cfg) {
  if (ids.dim() != 2 || ids.size(1) < 1 || ids.size(1) > cfg.context_length ||
      !(ids.scalar_type() == torch::kInt64 || ids.scalar_type() == torch::kInt32)) {
    std::ostringstream ss;
    ss << "CLIP encode_text expects [N, L <= " << cfg.context_length
       << "] integer token ids, got " << ids.sizes() << " " << ids.scalar_type();
    throw std::invalid_argument(ss.str());
  }
  if (ids.numel() && (ids.min().item<int64_t>() < 0 || ids.max().item<int64_t>() >= cfg.vocab_size))
    throw std::invalid_argument("CLIP encode_text: token id outside [0, " +
                                std::to_string(cfg.vocab_size) + ")");
}

}  // namespace

ClipConfig ClipModelImpl::infer_config(const io::StateDict& weights) {
  if (weights.contains("visual.layer1.0.conv1.weight"))
    throw io::ModelFileError(weights.source(),
                             "this is a ResNet CLIP (visual.layer1...); only ViT CLIP models "
                             "are supported");
  ClipConfig c;
  const auto conv1 = shape_with_rank(weights, "visual.conv1.weight", 4);
  c.vision_width = conv1[0];
  c.vision_patch_size = conv1[3];
  if (conv1[1] != 3 || conv1[2] != conv1[3])
    throw io::ModelFileError(weights.source(), "key 'visual.conv1.weight': expected "
                                               "[width, 3, patch, patch], found shape " +
                                                   c10::str(c10::IntArrayRef(conv1)));
  // build_model counts the visual attention blocks by key.
  for (const auto& [name, t] : weights.entries())
    if (name.rfind("visual.", 0) == 0 && name.size() > 20 &&
        name.compare(name.size() - 20, 20, ".attn.in_proj_weight") == 0)
      ++c.vision_layers;
  const int64_t tokens = shape_with_rank(weights, "visual.positional_embedding", 2)[0];
  const auto grid = static_cast<int64_t>(std::llround(std::sqrt(static_cast<double>(tokens - 1))));
  if (tokens < 2 || grid * grid + 1 != tokens)
    throw io::ModelFileError(weights.source(),
                             "key 'visual.positional_embedding': " + std::to_string(tokens) +
                                 " rows is not 1 + a square number of patches");
  c.image_resolution = c.vision_patch_size * grid;
  c.vision_heads = heads_for(weights, "vision", c.vision_width);

  c.embed_dim = shape_with_rank(weights, "text_projection", 2)[1];
  c.context_length = shape_with_rank(weights, "positional_embedding", 2)[0];
  c.vocab_size = shape_with_rank(weights, "token_embedding.weight", 2)[0];
  c.transformer_width = shape_with_rank(weights, "ln_final.weight", 1)[0];
  c.transformer_heads = heads_for(weights, "text transformer", c.transformer_width);
  // build_model: distinct k.split(".")[2] over the "transformer.resblocks" keys.
  std::set<std::string> blocks;
  const std::string prefix = "transformer.resblocks.";
  for (const auto& [name, t] : weights.entries())
    if (name.rfind(prefix, 0) == 0) blocks.insert(name.substr(prefix.size(), name.find('.', prefix.size()) - prefix.size()));
  c.transformer_layers = static_cast<int64_t>(blocks.size());
  if (c.vision_layers == 0 || c.transformer_layers == 0)
    throw io::ModelFileError(weights.source(),
                             "no attention blocks found (expected keys "
                             "'visual.transformer.resblocks.0.attn.in_proj_weight' and "
                             "'transformer.resblocks.0.attn.in_proj_weight')");
  return c;
}

ClipModelImpl::ClipModelImpl(const ClipConfig& cfg) : cfg_(cfg) {
  const int64_t w = cfg.transformer_width;
  visual = register_module("visual", VisionTransformer(cfg));
  transformer = register_module(
      "transformer", ClipTransformer(w, cfg.transformer_layers, cfg.transformer_heads));
  token_embedding = register_module("token_embedding", torch::nn::Embedding(cfg.vocab_size, w));
  positional_embedding =
      register_parameter("positional_embedding", torch::randn({cfg.context_length, w}) * 0.01);
  ln_final = register_module("ln_final", torch::nn::LayerNorm(torch::nn::LayerNormOptions({w})));
  text_projection = register_parameter(
      "text_projection", torch::randn({w, cfg.embed_dim}) / std::sqrt(static_cast<double>(w)));
  logit_scale = register_parameter("logit_scale", torch::full({}, std::log(1.0 / 0.07)));
}

torch::Tensor ClipModelImpl::encode_image(const torch::Tensor& image) {
  return visual->forward(image);
}

torch::Tensor ClipModelImpl::image_ln_pre(const torch::Tensor& image) {
  return visual->ln_pre_tokens(image);
}

torch::Tensor ClipModelImpl::image_ln_post(const torch::Tensor& image) {
  return visual->ln_post_class(image);
}

int64_t ClipModelImpl::store_weights_in_half() {
  return store_in_half(*this, [](const std::string& name, const torch::Tensor&) {
    for (const char* end : {"attn.in_proj_weight", "attn.out_proj.weight", "mlp.c_fc.weight",
                            "mlp.c_proj.weight"})
      if (name.ends_with(end)) return true;
    return false;
  });
}

torch::Tensor ClipModelImpl::eot_positions(const torch::Tensor& ids) {
  // Written out rather than trusting argmax's tie rule: the first position holding the maximum.
  const int64_t len = ids.size(1);
  auto is_max = ids == std::get<0>(ids.max(-1, /*keepdim=*/true));
  auto pos = torch::arange(len, ids.options().dtype(torch::kInt64)).expand_as(ids);
  return torch::where(is_max, pos, torch::full_like(pos, len)).amin(-1);  // [N]
}

torch::Tensor ClipModelImpl::text_tokens(const torch::Tensor& ids) {
  check_ids(ids, cfg_);
  const int64_t len = ids.size(1);
  const auto dtype = text_projection.scalar_type();
  auto x = token_embedding->forward(ids.to(text_projection.device(), torch::kInt64)).to(dtype);
  x = x + positional_embedding.slice(0, 0, len).to(dtype);  // [N, L, Wt]
  x = transformer->forward(x, causal_mask(len, x.options()));
  return layer_norm_fp32(ln_final, x);
}

torch::Tensor ClipModelImpl::text_ln_final(const torch::Tensor& ids) { return text_tokens(ids); }

torch::Tensor ClipModelImpl::encode_text(const torch::Tensor& ids, bool cut_after_eot) {
  check_ids(ids, cfg_);  // before cutting, which could hide an over-long input
  auto eot = eot_positions(ids.to(torch::kInt64));  // [N]
  const int64_t N = ids.size(0);
  // rows [n, L] with their read positions pos [n] -> projected features [n, E]
  auto features = [&](const torch::Tensor& rows, const torch::Tensor& pos) {
    auto x = text_tokens(rows);  // [n, L, Wt]
    auto at = torch::arange(rows.size(0), pos.options());
    return torch::matmul(x.index({at.to(x.device()), pos.to(x.device())}), text_projection);
  };
  if (!cut_after_eot) return features(ids, eot);
  // Rows sorted by length, in length buckets, each cut at its own longest row.
  const auto sorted = eot.sort();
  const auto lengths = std::get<0>(sorted).to(torch::kCPU).contiguous();  // [N], ascending
  const auto order = std::get<1>(sorted);                 // [N]
  const int64_t* len = lengths.data_ptr<int64_t>();
  auto out = torch::empty({N, text_projection.size(1)}, text_projection.options());
  for (const auto& [lo, hi] : length_buckets({len, len + N})) {
    const auto idx = order.slice(0, lo, hi);  // [n]
    const auto rows = ids.index_select(0, idx.to(ids.device())).slice(1, 0, len[hi - 1] + 1);
    out.index_copy_(0, idx.to(out.device()), features(rows, eot.index_select(0, idx)));
  }
  return out;  // [N, E]
}

}  // namespace deltaedit::nets
