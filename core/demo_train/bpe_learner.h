#pragma once
// Learns CLIP-style byte-level BPE merges from a corpus, with exactly the pre-processing of
// core/text's tokenizer (text cleaning, pre-tokenizer, printable byte alphabet, "</w>" on the
// last symbol of a word), and writes them in the format of CLIP's bpe_simple_vocab_16e6.txt.gz
// so that text::ClipTokenizer reads them unchanged.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace deltaedit::demo_train {

using BpeMerge = std::pair<std::string, std::string>;  // "first second" of one merges line

// How often each pre-tokenized word occurs, keyed by its printable byte form (UTF-8).
using WordCounts = std::map<std::string, int64_t>;
WordCounts count_words(const std::vector<std::string>& texts);

// Greedy BPE: repeatedly merges the most frequent adjacent symbol pair (counted over word
// occurrences; ties go to the lexicographically smallest (first, second)) until `max_merges`
// merges or until no pair occurs at least twice. Deterministic.
std::vector<BpeMerge> learn_bpe_merges(const WordCounts& words, size_t max_merges);

// Gzip text "#version: 0.2" then one "first second" line per merge, no final newline (a final
// newline would add an empty token to SimpleTokenizer's vocabulary). Atomic (temp + rename).
// Throws train::OutputConflict naming the file on IO errors.
void write_bpe_merges(const std::filesystem::path& file, const std::vector<BpeMerge>& merges);

// Vocabulary size the tokenizer builds from `merge_count` merges: 512 + merges + 2.
inline int64_t bpe_vocab_size(size_t merge_count) {
  return 2 * 256 + static_cast<int64_t>(merge_count) + 2;
}

}  // namespace deltaedit::demo_train
