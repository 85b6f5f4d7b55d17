#pragma once
// DeltaEdit's text direction (utils/map_tool.GetDt): each prompt's class embedding is the
// normalized mean of the normalized CLIP text features of the 79 filled prompt templates; the
// direction is target - source. The mapper takes it normalized, the channel selection raw.
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/nets/clip/clip_model.h"
#include "core/nets/clip/clip_text_prefix.h"
#include "core/text/class_embedding_cache.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/prompt_templates.h"

namespace deltaedit::text {

struct TextDirection {
  torch::Tensor raw;         // [E] target - source class embedding (float32, CPU)
  torch::Tensor normalized;  // [E] raw / max(|raw|, 1e-5)
};

// Owns the class-embedding cache of one CLIP model. Not copyable (the cache is per model);
// safe to call from several threads (the network call is serialised by the caller's engine).
class TextDirectionEncoder {
 public:
  // The CLIP text tower must embed exactly the tokenizer's vocabulary (token_embedding rows ==
  // vocab_size()): otherwise throws io::ModelFileError naming the vocabulary file and
  // `clip_file` (the CLIP weights, when known).
  TextDirectionEncoder(nets::ClipModel clip, std::shared_ptr<const ClipTokenizer> tokenizer,
                       const std::filesystem::path& clip_file = {});

  // [E] float32 on CPU, unit norm; cached by prompt text. A prompt whose filled templates exceed
  // CLIP's context throws PromptTooLongError (as clip.tokenize does).
  torch::Tensor class_embedding(const std::string& prompt);

  // Raw CLIP text features of the 79 filled templates, [79, E] (not normalized). The template
  // words before the prompt are run once per encoder and kept (clip_text_prefix.h); a template
  // whose tokens do not start with them is encoded whole.
  torch::Tensor template_features(const std::string& prompt);

  TextDirection direction(const std::string& target, const std::string& source = "face");

  ClassEmbeddingCache& cache() { return cache_; }

 private:
  nets::ClipModel clip_;
  std::shared_ptr<const ClipTokenizer> tokenizer_;
  ClassEmbeddingCache cache_;
  std::mutex prefix_mutex_;
  std::optional<nets::TextPrefixStates> template_prefixes_;  // built at the first prompt
};

}  // namespace deltaedit::text
