#pragma once
// CLIP's byte-level BPE: the vocabulary and merge ranks built from the merges file, and the
// merge loop of SimpleTokenizer.bpe with its per-word cache.
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace deltaedit::text {

class BpeVocabulary {
 public:
  // `merges_text` is the decompressed merges file (header line, then "a b" per line); CLIP
  // uses the first 49152 - 256 - 2 merges, or all of a shorter file's (size() is then
  // 512 + merges + 2, one more with a final newline, as SimpleTokenizer counts). Throws
  // io::ModelFileError naming `source`.
  BpeVocabulary(std::string_view merges_text, const std::filesystem::path& source);

  // Ids of one pre-tokenized word given in its byte-level printable form (UTF-8).
  std::vector<int64_t> encode_word(const std::string& printable_word) const;

  int64_t id_of(const std::string& token) const;  // throws std::out_of_range
  int64_t size() const { return size_; }

 private:
  std::vector<std::string> merge_symbols(const std::string& printable_word) const;

  std::unordered_map<std::string, int64_t> encoder_;
  std::unordered_map<std::string, int> merge_ranks_;  // key "first second"
  int64_t size_ = 0;
  mutable std::mutex cache_mutex_;
  mutable std::unordered_map<std::string, std::vector<int64_t>> cache_;
};

}  // namespace deltaedit::text
