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
  const auto& templates = prompt_templates();
  std::vector<std::string> texts;
  texts.reserve(templates.size());
  for (const auto& t : templates) texts.push_back(fill_template(t, prompt));
  // Throws PromptTooLongError for an over-long prompt, exactly as before.
  const auto ids = tokenizer_->tokenize(texts, clip_->context_length(), /*truncate=*/false);
  const auto device = clip_->text_projection.device();
  torch::NoGradGuard no_grad;
  std::lock_guard lock(prefix_mutex_);  // the prefix states, and one network call at a time
  if (!template_prefixes_) {
    std::vector<std::vector<int64_t>> prefixes;
    for (const auto& t : templates) {
      std::vector<int64_t> p{tokenizer_->sot()};
      const auto words = tokenizer_->encode(t.substr(0, t.find("{}")));
      p.insert(p.end(), words.begin(), words.end());
      prefixes.push_back(std::move(p));
    }
    template_prefixes_ = nets::encode_text_prefixes(*clip_, prefixes);
  }
  // Split each row after its template's prefix; read positions as encode_text reads them.
  const auto read_positions = nets::ClipModelImpl::eot_positions(ids);  // [79]
  const auto reads = read_positions.accessor<int64_t, 1>();
  const auto id_rows = ids.accessor<int64_t, 2>();
  std::vector<int64_t> split_rows, whole_rows;
  std::vector<std::vector<int64_t>> continuations;
  for (int64_t r = 0; r < ids.size(0); ++r) {
    const auto& prefix = template_prefixes_->ids[r];
    const int64_t plen = static_cast<int64_t>(prefix.size()), read = reads[r];
    bool starts = read >= plen;
    for (int64_t j = 0; starts && j < plen; ++j) starts = id_rows[r][j] == prefix[j];
    if (!starts) {  // cleaning or BPE joined the prompt to the template words
      whole_rows.push_back(r);
      continue;
    }
    split_rows.push_back(r);
    continuations.emplace_back(&id_rows[r][plen], &id_rows[r][read] + 1);  // up to the read
  }
  auto out = torch::empty({ids.size(0), clip_->embed_dim()}, clip_->text_projection.options());
  auto put = [&](const std::vector<int64_t>& rows, const torch::Tensor& features) {
    if (!rows.empty()) out.index_copy_(0, torch::tensor(rows).to(device), features);
  };
  if (!split_rows.empty())
    put(split_rows, nets::encode_text_continuations(*clip_, *template_prefixes_, split_rows,
                                                    continuations));
  if (!whole_rows.empty())
    put(whole_rows, clip_->encode_text(ids.index_select(0, torch::tensor(whole_rows)).to(device)));
  return out;  // [79, E]
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
