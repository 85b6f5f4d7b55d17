#pragma once
// OpenAI CLIP's tokenizer (simple_tokenizer.SimpleTokenizer + clip.tokenize): text cleaning
// with ftfy semantics, the pre-tokenizer regex, byte-level BPE, SOT/EOT and the fixed context.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::text {

class BpeVocabulary;

// A prompt longer than the context (SOT and EOT included) when truncation is off.
class PromptTooLongError : public std::invalid_argument {
 public:
  PromptTooLongError(const std::string& prompt, int64_t token_count, int64_t context_length);
  int64_t token_count() const noexcept { return token_count_; }

 private:
  int64_t token_count_;
};

class ClipTokenizer {
 public:
  // Reads CLIP's bpe_simple_vocab_16e6.txt.gz; throws io::ModelFileError naming the file.
  static ClipTokenizer from_file(const std::filesystem::path& bpe_gz);

  // ftfy.fix_text, html.unescape twice, whitespace collapse and lower-case (UTF-8 in and out;
  // invalid UTF-8 input bytes count as U+FFFD).
  std::string clean(std::string_view text) const;
  // Raw BPE ids of the cleaned text, without SOT/EOT.
  std::vector<int64_t> encode(std::string_view text) const;
  // clip.tokenize: [N, context_length] int64, SOT + ids + EOT then zeros. A prompt with more
  // tokens throws PromptTooLongError unless `truncate`, which keeps the first context_length
  // tokens and makes the last one EOT.
  torch::Tensor tokenize(const std::vector<std::string>& texts, int64_t context_length = 77,
                         bool truncate = false) const;

  int64_t sot() const { return sot_; }
  int64_t eot() const { return eot_; }
  int64_t vocab_size() const;
  // The merges file it was read from.
  const std::filesystem::path& source() const { return source_; }

 private:
  ClipTokenizer(std::shared_ptr<const BpeVocabulary> vocabulary, std::filesystem::path source);

  std::shared_ptr<const BpeVocabulary> vocabulary_;  // shared by copies, with its BPE cache
  int64_t sot_ = 0;
  int64_t eot_ = 0;
  std::filesystem::path source_;
};

}  // namespace deltaedit::text
