#pragma once
// A small CNN that reads the demo domain's named attributes off a 64 px portrait (independent of
// CLIP, trained on the procedural ground truth): the yardstick of the demo bundle's edits.
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::demo_train {

inline constexpr int64_t kPredictorSide = 64;
inline constexpr int64_t kRegressionCount = 4;  // smile, hair_length, skin_tone, eye_size
inline constexpr int64_t kPredictorOutputs = kRegressionCount + 6 + 7 + 2;

// Raw outputs: [B, 19] = 4 regressions | 6 hair-colour logits | 7 background logits |
// glasses logit | beard logit.
struct AttributeNetImpl : torch::nn::Module {
  AttributeNetImpl();
  // [B, 3, 64, 64] in [0, 1] -> [B, 19]
  torch::Tensor forward(const torch::Tensor& images);

  torch::nn::Sequential features{nullptr};
  torch::nn::Linear fc{nullptr}, head{nullptr};
};
TORCH_MODULE(AttributeNet);

// What the network says about a batch, split by attribute.
struct AttributePrediction {
  torch::Tensor regression;   // [B, 4] smile (-1..1), hair_length, skin_tone, eye_size (0..1)
  torch::Tensor hair_logits;  // [B, 6] in demo::HairColour order
  torch::Tensor background_logits;  // [B, 7] in demo::Background order
  torch::Tensor glasses_logit;      // [B]
  torch::Tensor beard_logit;        // [B]
};
AttributePrediction split_outputs(const torch::Tensor& outputs);

// One scalar per attribute and image, for comparing an edit with its reconstruction:
// `values` are what one reads (regression values, probabilities), `signals` move the same way
// but never saturate (regression values, log-odds), so the sign of a change is always defined.
struct AttributeScores {
  torch::Tensor values;   // [B, K], K = score_names().size()
  torch::Tensor signals;  // [B, K]
};
// "smile", "hair_length", "skin_tone", "eye_size", "glasses", "beard", "hair_<colour>" x 6,
// "background_<colour>" x 7.
const std::vector<std::string>& score_names();
int64_t score_index(const std::string& name);  // throws std::invalid_argument for an unknown name
// True for the scores that say whether a portrait has something (glasses, a beard, a hair or
// background colour: values are probabilities, a face has it above 0.5); false for the four
// regressions (smile, hair length, skin tone, eye size), which every face has some of.
bool is_presence_score(int64_t index);
AttributeScores scores_of(const AttributePrediction& p);

// Float [B, 3, H, W] in [0, 1], or uint8 [B, H, W, 3] / [H, W, 3] RGB; any side (resampled to 64).
torch::Tensor to_predictor_input(const torch::Tensor& images);

class AttributePredictor {
 public:
  explicit AttributePredictor(AttributeNet net);
  AttributePredictor();  // fresh random weights (seed with torch::manual_seed first)

  // Any image layout to_predictor_input accepts; inference mode, batches of 256.
  AttributePrediction predict(const torch::Tensor& images) const;
  AttributeScores scores(const torch::Tensor& images) const { return scores_of(predict(images)); }

  AttributeNet& net() { return net_; }
  const AttributeNet& net() const { return net_; }

 private:
  mutable AttributeNet net_;  // forward() is not const in LibTorch
};

// The network's weights as a flat state dict file (atomic write); load checks every name and
// shape and throws io::ModelFileError naming the file.
void save_attribute_predictor(const std::filesystem::path& file, const AttributeNet& net);
AttributePredictor load_attribute_predictor(const std::filesystem::path& file);

}  // namespace deltaedit::demo_train
