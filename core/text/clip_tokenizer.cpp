#include "core/text/clip_tokenizer.h"

#include "core/text/bpe_vocabulary.h"
#include "core/text/byte_level_alphabet.h"
#include "core/text/clip_pretokenizer.h"
#include "core/text/clip_text_cleaner.h"
#include "core/text/gzip_file.h"
#include "core/text/utf8_codec.h"

namespace deltaedit::text {

PromptTooLongError::PromptTooLongError(const std::string& prompt, int64_t token_count,
                                       int64_t context_length)
    : std::invalid_argument("prompt \"" + prompt + "\" has " + std::to_string(token_count) +
                            " tokens with start/end tokens, more than the context length " +
                            std::to_string(context_length)),
      token_count_(token_count) {}

ClipTokenizer ClipTokenizer::from_file(const std::filesystem::path& bpe_gz) {
  const std::string merges = read_gzip_file(bpe_gz);
  return ClipTokenizer(std::make_shared<const BpeVocabulary>(merges, bpe_gz), bpe_gz);
}

ClipTokenizer::ClipTokenizer(std::shared_ptr<const BpeVocabulary> vocabulary,
                             std::filesystem::path source)
    : vocabulary_(std::move(vocabulary)),
      sot_(vocabulary_->id_of("<|startoftext|>")),
      eot_(vocabulary_->id_of("<|endoftext|>")),
      source_(std::move(source)) {}

int64_t ClipTokenizer::vocab_size() const { return vocabulary_->size(); }

std::string ClipTokenizer::clean(std::string_view text) const {
  return encode_utf8(clip_clean_text(decode_utf8_lenient(text)));
}

std::vector<int64_t> ClipTokenizer::encode(std::string_view text) const {
  std::vector<int64_t> ids;
  for (const std::u32string& word : clip_pretokenize(clip_clean_text(decode_utf8_lenient(text)))) {
    const std::vector<int64_t> word_ids =
        vocabulary_->encode_word(bytes_to_printable(encode_utf8(word)));
    ids.insert(ids.end(), word_ids.begin(), word_ids.end());
  }
  return ids;
}

torch::Tensor ClipTokenizer::tokenize(const std::vector<std::string>& texts, int64_t context_length,
                                      bool truncate) const {
  if (context_length < 2) throw std::invalid_argument("context length must be at least 2");
  torch::Tensor result =
      torch::zeros({static_cast<int64_t>(texts.size()), context_length}, torch::kLong);
  auto rows = result.accessor<int64_t, 2>();
  for (size_t i = 0; i < texts.size(); ++i) {
    std::vector<int64_t> tokens{sot_};
    const std::vector<int64_t> ids = encode(texts[i]);
    tokens.insert(tokens.end(), ids.begin(), ids.end());
    tokens.push_back(eot_);
    const auto count = static_cast<int64_t>(tokens.size());
    if (count > context_length) {
      if (!truncate) throw PromptTooLongError(texts[i], count, context_length);
      tokens.resize(static_cast<size_t>(context_length));
      tokens.back() = eot_;
    }
    for (size_t t = 0; t < tokens.size(); ++t)
      rows[static_cast<int64_t>(i)][static_cast<int64_t>(t)] = tokens[t];
  }
  return result;
}

}  // namespace deltaedit::text
