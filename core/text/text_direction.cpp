#include "core/text/text_direction.h"

#include <stdexcept>

namespace deltaedit::text {

TextDirectionEncoder::TextDirectionEncoder(nets::ClipModel clip,
                                           std::shared_ptr<const ClipTokenizer> tokenizer)
    : clip_(std::move(clip)), tokenizer_(std::move(tokenizer)) {
  if (!clip_ || !tokenizer_)
    throw std::invalid_argument("TextDirectionEncoder needs a loaded CLIP model and tokenizer");
}

torch::Tensor TextDirectionEncoder::template_features(const std::string& prompt) {
  std::vector<std::string> texts;
  texts.reserve(prompt_templates().size());
  for (const auto& t : prompt_templates()) texts.push_back(fill_template(t, prompt));
  const auto ids = tokenizer_->tokenize(texts, clip_->context_length(), /*truncate=*/false);
  const auto device = clip_->text_projection.device();
  torch::NoGradGuard no_grad;
  return clip_->encode_text(ids.to(device));  // [79, L] -> [79, E]
}

torch::Tensor TextDirectionEncoder::class_embedding(const std::string& prompt) {
  if (auto hit = cache_.find(prompt)) return *hit;
  torch::NoGradGuard no_grad;
  // Normalising in float32 keeps fp16 CUDA features from losing the small differences.
  auto f = template_features(prompt).to(torch::kCPU, torch::kFloat32);  // [79, E]
  f = f / f.norm(2, /*dim=*/-1, /*keepdim=*/true);
  auto mean = f.mean(0);  // [E]
  mean = mean / mean.norm();
  cache_.put(prompt, mean);
  return mean;
}

TextDirection TextDirectionEncoder::direction(const std::string& target,
                                              const std::string& source) {
  torch::NoGradGuard no_grad;
  const auto raw = class_embedding(target) - class_embedding(source);  // [E]
  return {raw, raw / raw.norm().clamp_min(1e-5)};
}

}  // namespace deltaedit::text
