#include "core/text/bpe_vocabulary.h"

#include <algorithm>
#include <cctype>
#include <limits>
#include <stdexcept>

#include "core/io/model_file_error.h"
#include "core/text/byte_level_alphabet.h"
#include "core/text/utf8_codec.h"

namespace deltaedit::text {
namespace {

// SimpleTokenizer reads merges[1 : 49152 - 256 - 2 + 1] of the file's lines: at most this many
// merges after the header, fewer when the file is shorter (a smaller vocabulary of
// 2 * 256 + merges + 2 tokens, e.g. the demo bundle's learned merges).
constexpr size_t kMaxMergeCount = 49152 - 256 - 2;
constexpr const char* kEndOfWord = "</w>";

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (true) {
    const size_t end = text.find('\n', pos);
    lines.push_back(
        text.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
    if (end == std::string_view::npos) return lines;
    pos = end + 1;
  }
}

// Python's str.split() on an ASCII-whitespace-only line of a merges file.
std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    size_t end = i;
    while (end < line.size() && !std::isspace(static_cast<unsigned char>(line[end]))) ++end;
    if (end > i) fields.push_back(line.substr(i, end - i));
    i = end;
  }
  return fields;
}

// SimpleTokenizer.bpe's inner step: merge every (first, second) occurrence left to right.
std::vector<std::string> merge_pair(const std::vector<std::string>& word, const std::string& first,
                                    const std::string& second) {
  std::vector<std::string> merged;
  merged.reserve(word.size());
  for (size_t i = 0; i < word.size();) {
    if (word[i] == first && i + 1 < word.size() && word[i + 1] == second) {
      merged.push_back(first + second);
      i += 2;
    } else {
      merged.push_back(word[i++]);
    }
  }
  return merged;
}

}  // namespace

BpeVocabulary::BpeVocabulary(std::string_view merges_text, const std::filesystem::path& source) {
  if (!decode_utf8_strict(merges_text))
    throw io::ModelFileError(source, "BPE merges are not valid UTF-8 text");
  const std::vector<std::string_view> lines = split_lines(merges_text);
  // Python's slice: every line after the first (a header, which the official file glues to its
  // name: '"bpe_simple_vocab_16e6.txt#version: 0.2'), up to the maximum. A file ending in a
  // newline has an empty last line, which SimpleTokenizer turns into an empty vocabulary entry
  // (it only matters for files shorter than the maximum; BPE never produces that token).
  const size_t merge_count = std::min(lines.size() - 1, kMaxMergeCount);
  const bool empty_last = merge_count > 0 && lines.size() - 1 <= kMaxMergeCount &&
                          split_fields(lines.back()).empty();
  if (merge_count - (empty_last ? 1 : 0) == 0)
    throw io::ModelFileError(source, "BPE merges file holds a header but no merges");

  std::vector<std::string> vocab;
  vocab.reserve(2 * 256 + merge_count + 2);
  for (char32_t c : byte_alphabet_in_vocab_order())
    vocab.push_back(encode_utf8(std::u32string(1, c)));
  for (size_t i = 0; i < 256; ++i) vocab.push_back(vocab[i] + kEndOfWord);
  for (size_t m = 0; m < merge_count; ++m) {
    const std::string_view line = lines[1 + m];
    if (empty_last && m + 1 == merge_count) {
      vocab.emplace_back();
      break;
    }
    const auto fields = split_fields(line);
    if (fields.size() != 2)
      throw io::ModelFileError(source, "BPE merge on line " + std::to_string(m + 2) +
                                           " is not two symbols: '" + std::string(line) + "'");
    const std::string first(fields[0]), second(fields[1]);
    merge_ranks_[first + " " + second] =
        static_cast<int>(m);  // a repeated merge keeps its last rank
    vocab.push_back(first + second);
  }
  vocab.emplace_back("<|startoftext|>");
  vocab.emplace_back("<|endoftext|>");

  for (size_t i = 0; i < vocab.size(); ++i) encoder_[vocab[i]] = static_cast<int64_t>(i);
  size_ = static_cast<int64_t>(vocab.size());
  // Special tokens bypass BPE, as in SimpleTokenizer's initial cache.
  for (const char* special : {"<|startoftext|>", "<|endoftext|>"})
    cache_[special] = {encoder_.at(special)};
}

int64_t BpeVocabulary::id_of(const std::string& token) const {
  auto it = encoder_.find(token);
  if (it == encoder_.end()) throw std::out_of_range("token not in the CLIP vocabulary: " + token);
  return it->second;
}

std::vector<std::string> BpeVocabulary::merge_symbols(const std::string& printable_word) const {
  // One symbol per code point; the last one carries the end-of-word marker.
  std::vector<std::string> word;
  for (char32_t c : decode_utf8_lenient(printable_word))
    word.push_back(encode_utf8(std::u32string(1, c)));
  if (word.empty()) return word;
  word.back() += kEndOfWord;
  while (word.size() > 1) {
    int best_rank = std::numeric_limits<int>::max();
    size_t best = 0;
    for (size_t i = 0; i + 1 < word.size(); ++i) {
      auto it = merge_ranks_.find(word[i] + " " + word[i + 1]);
      if (it != merge_ranks_.end() && it->second < best_rank) {
        best_rank = it->second;
        best = i;
      }
    }
    if (best_rank == std::numeric_limits<int>::max()) break;
    word = merge_pair(word, std::string(word[best]), std::string(word[best + 1]));
  }
  return word;
}

std::vector<int64_t> BpeVocabulary::encode_word(const std::string& printable_word) const {
  {
    std::lock_guard<std::mutex> lock(cache_mutex_);
    if (auto it = cache_.find(printable_word); it != cache_.end()) return it->second;
  }
  std::vector<int64_t> ids;
  for (const std::string& symbol : merge_symbols(printable_word)) ids.push_back(id_of(symbol));
  std::lock_guard<std::mutex> lock(cache_mutex_);
  cache_.emplace(printable_word, ids);
  return ids;
}

}  // namespace deltaedit::text
