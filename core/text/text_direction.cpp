#include "core/text/text_direction.h"

#include <stdexcept>

#include "core/io/model_file_error.h"

namespace deltaedit::text {

TextDirectionEncoder::TextDirectionEncoder(nets::ClipModel clip,
                                           std::shared_ptr<const ClipTokenizer> tokenizer,
                                           const std::filesystem::path& clip_file)
    : clip_(std::move(clip)), tokenizer_(std::move(tokenizer)) {
  if (!clip_ || !tokenizer_)
    throw std::invalid_argument("TextDirectionEncoder needs a loaded CLIP model and tokenizer");
  // A mismatched pair would only fail (or silently misread ids) at the first prompt.
  if (clip_->vocab_size() != tokenizer_->vocab_size())
    throw io::ModelFileError(
        tokenizer_->source(),
        "BPE vocabulary has " + std::to_string(tokenizer_->vocab_size()) +
            " tokens but the CLIP model" +
            (clip_file.empty() ? std::string() : " " + clip_file.string()) +
            " embeds " + std::to_string(clip_->vocab_size()) +
            " (token_embedding rows): the vocabulary and the CLIP weights do not belong together");
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
