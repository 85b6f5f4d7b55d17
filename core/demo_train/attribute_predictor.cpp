#include "core/demo_train/attribute_predictor.h"

#include <limits>
#include <stdexcept>

#include "core/demo/face_attributes.h"
#include "core/io/checkpoint_reader.h"
#include "core/io/checkpoint_writer.h"
#include "core/nets/common/weights.h"

namespace deltaedit::demo_train {
namespace {

namespace nn = torch::nn;

nn::Sequential conv_block(nn::Sequential seq, int64_t in, int64_t out, int64_t kernel, int64_t stride) {
  seq->push_back(nn::Conv2d(nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2).bias(false)));
  seq->push_back(nn::BatchNorm2d(out));
  seq->push_back(nn::ReLU());
  return seq;
}

}  // namespace

AttributeNetImpl::AttributeNetImpl() {
  // 64 -> 32 (5x5 keeps the small eyes and mouth corners) -> 16 -> 8 -> 4; the 4x4 map is
  // flattened, not pooled, because where things are matters (hair length, background corners).
  nn::Sequential seq;
  conv_block(seq, 3, 32, 5, 2);    // 32 px
  conv_block(seq, 32, 32, 3, 1);
  conv_block(seq, 32, 64, 3, 2);   // 16 px
  conv_block(seq, 64, 64, 3, 1);
  conv_block(seq, 64, 128, 3, 2);  // 8 px
  conv_block(seq, 128, 128, 3, 2); // 4 px
  features = register_module("features", seq);
  fc = register_module("fc", nn::Linear(128 * 4 * 4, 128));
  head = register_module("head", nn::Linear(128, kPredictorOutputs));
}

torch::Tensor AttributeNetImpl::forward(const torch::Tensor& images) {
  auto x = features->forward((images - 0.5) * 2.0);  // [B, 3, 64, 64] -> [B, 128, 4, 4]
  x = torch::relu(fc->forward(x.flatten(1)));        // -> [B, 128]
  return head->forward(x);                           // -> [B, 19]
}

AttributePrediction split_outputs(const torch::Tensor& outputs) {
  // [B, 19] -> views of it
  AttributePrediction p;
  p.regression = outputs.narrow(1, 0, kRegressionCount);
  p.hair_logits = outputs.narrow(1, kRegressionCount, demo::kHairColourCount);
  p.background_logits = outputs.narrow(1, kRegressionCount + demo::kHairColourCount, demo::kBackgroundCount);
  p.glasses_logit = outputs.select(1, kPredictorOutputs - 2);
  p.beard_logit = outputs.select(1, kPredictorOutputs - 1);
  return p;
}

const std::vector<std::string>& score_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n = {"smile", "hair_length", "skin_tone", "eye_size", "glasses", "beard"};
    for (int c = 0; c < demo::kHairColourCount; ++c)
      n.push_back("hair_" + std::string(demo::name_of(static_cast<demo::HairColour>(c))));
    for (int b = 0; b < demo::kBackgroundCount; ++b)
      n.push_back("background_" + std::string(demo::name_of(static_cast<demo::Background>(b))));
    return n;
  }();
  return names;
}

int64_t score_index(const std::string& name) {
  const auto& names = score_names();
  for (size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return static_cast<int64_t>(i);
  std::string known;
  for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
  throw std::invalid_argument("unknown attribute '" + name + "' (known: " + known + ")");
}

bool is_presence_score(int64_t index) {
  if (index < 0 || index >= static_cast<int64_t>(score_names().size()))
    throw std::out_of_range("is_presence_score: no score " + std::to_string(index));
  return index >= kRegressionCount;
}

namespace {

// Log-odds of each class against all the others: [B, C] logits -> [B, C].
torch::Tensor class_log_odds(const torch::Tensor& logits) {
  std::vector<torch::Tensor> cols;
  const auto others_mask = torch::eye(logits.size(1)) > 0.5;  // row c selects class c
  for (int64_t c = 0; c < logits.size(1); ++c) {
    const auto others = logits.masked_fill(others_mask[c], -std::numeric_limits<float>::infinity());
    cols.push_back(logits.select(1, c) - torch::logsumexp(others, 1));
  }
  return torch::stack(cols, 1);
}

}  // namespace

AttributeScores scores_of(const AttributePrediction& p) {
  const auto binary = torch::stack({p.glasses_logit, p.beard_logit}, 1);  // [B, 2]
  AttributeScores s;
  s.values = torch::cat({p.regression, torch::sigmoid(binary), torch::softmax(p.hair_logits, 1),
                         torch::softmax(p.background_logits, 1)}, 1);
  s.signals = torch::cat({p.regression, binary, class_log_odds(p.hair_logits),
                          class_log_odds(p.background_logits)}, 1);
  return s;
}

torch::Tensor to_predictor_input(const torch::Tensor& images) {
  torch::Tensor x;
  if (images.scalar_type() == torch::kUInt8) {
    auto hwc = images.dim() == 3 ? images.unsqueeze(0) : images;
    if (hwc.dim() != 4 || hwc.size(3) != 3)
      throw std::invalid_argument("predictor input: uint8 images must be [B, H, W, 3] RGB");
    x = hwc.permute({0, 3, 1, 2}).to(torch::kFloat32) / 255.0;  // [B, H, W, 3] -> [B, 3, H, W]
  } else {
    if (images.dim() != 4 || images.size(1) != 3)
      throw std::invalid_argument("predictor input: float images must be [B, 3, H, W] in [0, 1]");
    x = images.to(torch::kFloat32);
  }
  namespace F = torch::nn::functional;
  auto to_side = F::InterpolateFuncOptions().size(std::vector<int64_t>{kPredictorSide, kPredictorSide});
  if (x.size(2) > kPredictorSide || x.size(3) > kPredictorSide)
    x = F::interpolate(x, to_side.mode(torch::kArea));
  else if (x.size(2) != kPredictorSide || x.size(3) != kPredictorSide)
    x = F::interpolate(x, to_side.mode(torch::kBilinear).align_corners(false));
  return x.contiguous();
}

AttributePredictor::AttributePredictor(AttributeNet net) : net_(std::move(net)) { net_->eval(); }
AttributePredictor::AttributePredictor() : AttributePredictor(AttributeNet()) {}

AttributePrediction AttributePredictor::predict(const torch::Tensor& images) const {
  c10::InferenceMode guard;
  const auto x = to_predictor_input(images.cpu());
  std::vector<torch::Tensor> outs;
  for (int64_t i = 0; i < x.size(0); i += 256)
    outs.push_back(net_->forward(x.narrow(0, i, std::min<int64_t>(256, x.size(0) - i))));
  return split_outputs(outs.empty() ? torch::zeros({0, kPredictorOutputs}) : torch::cat(outs, 0));
}

void save_attribute_predictor(const std::filesystem::path& file, const AttributeNet& net) {
  io::StateDict sd;
  for (const auto& p : net->named_parameters()) sd.add(p.key(), p.value().detach());
  for (const auto& b : net->named_buffers()) sd.add(b.key(), b.value().detach());
  io::save_state_dict(file, sd);
}

AttributePredictor load_attribute_predictor(const std::filesystem::path& file) {
  AttributeNet net;
  nets::load_weights(*net, io::load_state_dict(file));
  return AttributePredictor(net);
}

}  // namespace deltaedit::demo_train
