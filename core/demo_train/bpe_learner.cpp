#include "core/demo_train/bpe_learner.h"

#include "core/text/byte_level_alphabet.h"
#include "core/text/clip_pretokenizer.h"
#include "core/text/clip_text_cleaner.h"
#include "core/text/gzip_file.h"
#include "core/text/utf8_codec.h"
#include "core/train/train_files.h"

namespace deltaedit::demo_train {
namespace {

constexpr const char* kEndOfWord = "</w>";

// A word as the tokenizer's merge loop starts it: one symbol per code point, "</w>" on the last.
std::vector<std::string> initial_symbols(const std::string& printable_word) {
  std::vector<std::string> symbols;
  for (char32_t c : text::decode_utf8_lenient(printable_word))
    symbols.push_back(text::encode_utf8(std::u32string(1, c)));
  if (!symbols.empty()) symbols.back() += kEndOfWord;
  return symbols;
}

// Every (first, second) occurrence merged left to right, as BpeVocabulary applies a merge.
void merge_in_place(std::vector<std::string>& word, const BpeMerge& pair) {
  std::vector<std::string> merged;
  merged.reserve(word.size());
  for (size_t i = 0; i < word.size();) {
    if (i + 1 < word.size() && word[i] == pair.first && word[i + 1] == pair.second) {
      merged.push_back(pair.first + pair.second);
      i += 2;
    } else {
      merged.push_back(word[i++]);
    }
  }
  word = std::move(merged);
}

}  // namespace

WordCounts count_words(const std::vector<std::string>& texts) {
  WordCounts counts;
  for (const std::string& t : texts)
    for (const std::u32string& word :
         text::clip_pretokenize(text::clip_clean_text(text::decode_utf8_lenient(t))))
      ++counts[text::bytes_to_printable(text::encode_utf8(word))];
  return counts;
}

std::vector<BpeMerge> learn_bpe_merges(const WordCounts& words, size_t max_merges) {
  std::vector<std::pair<std::vector<std::string>, int64_t>> corpus;
  for (const auto& [word, count] : words)
    if (!word.empty()) corpus.emplace_back(initial_symbols(word), count);

  std::vector<BpeMerge> merges;
  while (merges.size() < max_merges) {
    // A few hundred distinct words: recounting every pair each round is cheap and simple.
    std::map<BpeMerge, int64_t> pair_counts;  // ordered: the first best pair is the smallest
    for (const auto& [symbols, count] : corpus)
      for (size_t i = 0; i + 1 < symbols.size(); ++i)
        pair_counts[{symbols[i], symbols[i + 1]}] += count;
    const BpeMerge* best = nullptr;
    int64_t best_count = 1;  // a pair must occur at least twice
    for (const auto& [pair, count] : pair_counts)
      if (count > best_count) {
        best = &pair;
        best_count = count;
      }
    if (!best) break;
    const BpeMerge chosen = *best;
    for (auto& [symbols, count] : corpus) merge_in_place(symbols, chosen);
    merges.push_back(chosen);
  }
  return merges;
}

void write_bpe_merges(const std::filesystem::path& file, const std::vector<BpeMerge>& merges) {
  std::string text = "#version: 0.2";
  for (const auto& [first, second] : merges) text += "\n" + first + " " + second;
  train::write_text_atomically(file, text::gzip_compress(text));
}

}  // namespace deltaedit::demo_train
