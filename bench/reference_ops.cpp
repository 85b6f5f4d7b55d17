#include "bench/reference_ops.h"

#include "core/text/prompt_templates.h"

namespace deltaedit::bench {

torch::Tensor reference_resample(const torch::Tensor& image, int64_t kernel) {
  namespace F = torch::nn::functional;
  // [N, C, H, W] -> [N, C, 7H, 7W] -> [N, C, 7H/k, 7W/k]
  const torch::Tensor up = F::interpolate(
      image, F::InterpolateFuncOptions().scale_factor(std::vector<double>{7.0, 7.0}).mode(torch::kNearest));
  return F::avg_pool2d(up, F::AvgPool2dFuncOptions(kernel));
}

torch::Tensor reference_text_delta(nets::ClipModel& clip, const text::ClipTokenizer& tokenizer,
                                   const std::string& target, const std::string& source) {
  torch::NoGradGuard no_grad;
  auto class_embedding = [&](const std::string& prompt) {
    std::vector<torch::Tensor> features;
    for (const auto& t : text::prompt_templates()) {
      const auto ids = tokenizer.tokenize({text::fill_template(t, prompt)}, clip->context_length(), false);
      torch::Tensor f = clip->encode_text(ids, /*cut_after_eot=*/false);  // [1, 77] -> [1, E]
      features.push_back(f / f.norm(2, -1, true));
    }
    torch::Tensor mean = torch::cat(features, 0).mean(0);  // [E]
    return mean / mean.norm();
  };
  return class_embedding(target) - class_embedding(source);
}

}  // namespace deltaedit::bench
