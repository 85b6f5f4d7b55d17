#include "core/nets/e4e/encoder4editing.h"

#include <sstream>
#include <stdexcept>
#include <string>

#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "core/nets/common/half_storage.h"
#include "core/nets/common/weights.h"

namespace deltaedit::nets {
namespace {

// e4e's _upsample_add: x resized onto y's grid (bilinear, align_corners=True) plus y.
// [B, C, h, w], [B, C, H, W] -> [B, C, H, W]
torch::Tensor upsample_add(const torch::Tensor& x, const torch::Tensor& y) {
  namespace F = torch::nn::functional;
  return F::interpolate(x, F::InterpolateFuncOptions()
                               .size(std::vector<int64_t>{y.size(2), y.size(3)})
                               .mode(torch::kBilinear)
                               .align_corners(true)) +
         y;
}

std::string top_level_keys(const io::PickleValue& root) {
  if (!root.is_dict()) return "the file holds a " + root.kind_name() + ", not a dict";
  std::string keys;
  for (const auto& [k, v] : root.dict) keys += (keys.empty() ? "'" : ", '") + k.text + "'";
  return "top-level keys: " + (keys.empty() ? std::string("none") : keys);
}

}  // namespace

Encoder4EditingImpl::Encoder4EditingImpl(const E4eConfig& cfg) : cfg_(cfg) {
  input_layer = register_module(
      "input_layer",
      torch::nn::Sequential(
          torch::nn::Conv2d(
              torch::nn::Conv2dOptions(cfg.in_channels, cfg.stem_width, 3).padding(1).bias(false)),
          torch::nn::BatchNorm2d(cfg.stem_width),
          torch::nn::PReLU(torch::nn::PReLUOptions().num_parameters(cfg.stem_width))));
  body = register_module("body", torch::nn::ModuleList());
  for (const auto& u : cfg.units) {
    units_.emplace_back(u);
    body->push_back(units_.back());
  }
  styles = register_module("styles", torch::nn::ModuleList());
  for (const auto& s : cfg.styles) {
    style_blocks_.emplace_back(s);
    styles->push_back(style_blocks_.back());
  }
  const int64_t c1_depth = cfg.units[cfg.stage_last_unit[1]].depth;
  const int64_t c2_depth = cfg.units[cfg.stage_last_unit[2]].depth;
  latlayer1 = register_module(
      "latlayer1", torch::nn::Conv2d(torch::nn::Conv2dOptions(c2_depth, cfg.fpn_width, 1)));
  latlayer2 = register_module(
      "latlayer2", torch::nn::Conv2d(torch::nn::Conv2dOptions(c1_depth, cfg.fpn_width, 1)));
}

torch::Tensor Encoder4EditingImpl::forward(const torch::Tensor& x) { return run(x, false).codes; }

E4eFeatures Encoder4EditingImpl::forward_features(const torch::Tensor& x) { return run(x, true); }

E4eFeatures Encoder4EditingImpl::run(const torch::Tensor& input, bool keep_features) {
  const int64_t side = cfg_.input_size();
  if (input.dim() != 4 || input.size(1) != cfg_.in_channels || input.size(2) != side ||
      input.size(3) != side)
    throw std::invalid_argument("e4e expects an input of shape [B, " +
                                std::to_string(cfg_.in_channels) + ", " + std::to_string(side) +
                                ", " + std::to_string(side) + "], got " + shape_str(input.sizes()));
  E4eFeatures f;
  // [B, 3, 256, 256] -> [B, stem, 256, 256] -> ... -> c3 [B, depth4, 16, 16]
  auto x = input_layer->forward(input);
  const auto& last = cfg_.stage_last_unit;
  for (size_t i = 0; i < units_.size(); ++i) {
    x = units_[i]->forward(x);
    const auto idx = static_cast<int64_t>(i);
    if (idx == last[1]) f.c1 = x;
    if (idx == last[2]) f.c2 = x;
    if (idx == last[3]) f.c3 = x;
  }

  // w0 in every slot, plus a delta for slots 1.. from the FPN level of their resolution.
  f.style0 = style_blocks_[0]->forward(f.c3);  // [B, D]
  const int64_t n = cfg_.style_count();
  if (keep_features || n > cfg_.coarse_ind) f.p2 = upsample_add(f.c3, latlayer1(f.c2));
  std::vector<torch::Tensor> slots{f.style0};
  torch::Tensor features = f.c3, p1;
  for (int64_t i = 1; i < n; ++i) {
    if (i == cfg_.coarse_ind) {
      features = f.p2;  // [B, fpn, 32, 32]
    } else if (i == cfg_.middle_ind) {
      p1 = upsample_add(f.p2, latlayer2(f.c1));  // [B, fpn, 64, 64]
      features = p1;
    }
    slots.push_back(f.style0 + style_blocks_[i]->forward(features));
  }
  f.codes = torch::stack(slots, 1);  // [B, n, D]
  if (!keep_features) f.c1 = f.c2 = f.c3 = f.p2 = torch::Tensor();
  return f;
}

int64_t Encoder4EditingImpl::store_weights_in_half() {
  // Conv kernels (4-D) and EqualLinear matrices (2-D); batch norm and PReLU stay float32.
  const auto matrices = [](const std::string& name, const torch::Tensor& p) {
    return name.ends_with("weight") && p.dim() >= 2;
  };
  return store_in_half(*body, matrices) + store_in_half(*styles, matrices);
}

Encoder4Editing e4e_from_weights(const io::StateDict& encoder_weights) {
  Encoder4Editing net(Encoder4EditingImpl::infer_config(encoder_weights));
  load_weights(*net, encoder_weights);
  net->eval();
  return net;
}

LoadedE4e load_e4e(const std::filesystem::path& file, const ComputeDevice& dev) {
  const io::PickleValue root = io::load_checkpoint(file);
  const io::PickleValue* sd = root.find("state_dict");
  if (!sd || !sd->is_dict())
    throw io::ModelFileError(
        file, "not an e4e checkpoint: no 'state_dict' dict (" + top_level_keys(root) + ")");
  io::StateDict encoder = io::state_dict_at(root, "state_dict", file).with_prefix("encoder.");
  if (encoder.empty())
    throw io::ModelFileError(file, "not an e4e checkpoint: 'state_dict' has no 'encoder.*' keys");

  LoadedE4e out{e4e_from_weights(encoder), {}, file};
  const io::PickleValue* avg = root.find("latent_avg");
  if (!avg || !avg->is_tensor())
    throw io::ModelFileError(
        file, "not an e4e checkpoint: no 'latent_avg' tensor (" + top_level_keys(root) + ")");
  // e4e's own checkpoints may store it per slot ([n, D]); DeltaEdit's is [D]. Both broadcast.
  const auto& la = avg->tensor;
  const int64_t n = out.net->style_count(), d = out.net->style_dim();
  const bool ok =
      (la.dim() == 1 && la.size(0) == d) || (la.dim() == 2 && la.size(0) == n && la.size(1) == d);
  if (!ok)
    throw io::ModelFileError(file, "key 'latent_avg': expected shape [" + std::to_string(d) +
                                       "] or [" + std::to_string(n) + ", " + std::to_string(d) +
                                       "], found " + shape_str(la.sizes()));
  out.latent_avg = la.to(dev.device, torch::kFloat32).contiguous();
  out.net->to(dev.device, dev.dtype);
  return out;
}

torch::Tensor invert_to_wplus(LoadedE4e& e4e, const torch::Tensor& x) {
  torch::NoGradGuard no_grad;
  const auto opts = e4e.net->latlayer1->weight.options();
  auto codes = e4e.net->forward(x.to(opts.device(), opts.dtype()));  // [B, n, D]
  // Added in float32 ([D] or [n, D] broadcast), returned in the compute dtype like every
  // other network output, so it feeds the generator on the same device as is.
  return (codes.to(torch::kFloat32) + e4e.latent_avg).to(codes.scalar_type());
}

}  // namespace deltaedit::nets
