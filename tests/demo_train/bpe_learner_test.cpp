// The BPE learner: greedy most-frequent-pair merges with a deterministic tie-break, written in
// the official merges format that the product's tokenizer reads unchanged.
#include <gtest/gtest.h>

#include <algorithm>

#include "core/demo/demo_dataset.h"
#include "core/demo_train/bpe_learner.h"
#include "core/demo_train/clip_captions.h"
#include "core/text/clip_tokenizer.h"
#include "core/text/gzip_file.h"
#include "tests/support/fixtures.h"

namespace deltaedit::demo_train {
namespace {

std::vector<demo::FaceAttributes> portraits(int64_t count) {
  std::vector<demo::FaceAttributes> out;
  for (int64_t i = 0; i < count; ++i)
    out.push_back(demo::dataset_attributes(0, demo::Split::kTrain, i));
  return out;
}

TEST(BpeLearner, GreedyMergesWithLexicographicTieBreak) {
  // "ab" x3 and "abc" x2 as symbols: a b</w> (x3), a b c</w> (x2). Pair counts: (a, b</w>) 3,
  // (a, b) 2, (b, c</w>) 2. The tie of the second round goes to (a, b) < (b, c</w>), then
  // (ab, c</w>) occurs twice; after it every word is one symbol.
  const WordCounts words = count_words({"ab ab ab", "ABC abc"});
  ASSERT_EQ(words.size(), 2u);
  EXPECT_EQ(words.at("ab"), 3);
  EXPECT_EQ(words.at("abc"), 2);
  const std::vector<BpeMerge> expected = {{"a", "b</w>"}, {"a", "b"}, {"ab", "c</w>"}};
  EXPECT_EQ(learn_bpe_merges(words, 100), expected);
  EXPECT_EQ(learn_bpe_merges(words, 1), std::vector<BpeMerge>(expected.begin(), expected.begin() + 1));
}

TEST(BpeLearner, PairsSeenOnceAreNotMerged) {
  // "xyz" occurs once: none of its pairs reaches two occurrences.
  EXPECT_TRUE(learn_bpe_merges(count_words({"xyz"}), 100).empty());
}

TEST(BpeLearner, CaptionWordsBecomeSingleTokensOfTheWrittenFile) {
  const auto corpus = caption_corpus(portraits(300), 2);
  const WordCounts words = count_words(corpus);
  const auto merges = learn_bpe_merges(words, 5000);
  EXPECT_EQ(learn_bpe_merges(count_words(caption_corpus(portraits(300), 2)), 5000), merges);
  EXPECT_LT(merges.size(), 5000u);  // stopped because every word is one symbol

  const auto file = testing::temp_dir("bpe_learner") / "bpe_vocab.txt.gz";
  write_bpe_merges(file, merges);
  const std::string text = text::read_gzip_file(file);
  EXPECT_EQ(text.rfind("#version: 0.2\n", 0), 0u);
  EXPECT_EQ(static_cast<size_t>(std::count(text.begin(), text.end(), '\n')), merges.size());
  EXPECT_NE(text.back(), '\n');

  const auto tok = text::ClipTokenizer::from_file(file);
  EXPECT_EQ(tok.vocab_size(), bpe_vocab_size(merges.size()));
  EXPECT_EQ(tok.sot(), tok.vocab_size() - 2);
  EXPECT_EQ(tok.eot(), tok.vocab_size() - 1);
  // Every word of every caption, template and the DeltaEdit prompts is one token.
  for (const std::string& probe :
       {std::string("medium-length"), std::string("face with a smile"),
        std::string("a photo of a face in front of an orange background, with eyeglasses"),
        std::string("a jpeg corrupted photo of the broadly smiling person with large eyes.")}) {
    for (const auto& [word, count] : count_words({probe}))
      EXPECT_EQ(tok.encode(word).size(), 1u) << "'" << word << "' of '" << probe << "'";
  }
  int64_t words_checked = 0;
  for (const auto& [word, count] : words) {
    ASSERT_EQ(tok.encode(word).size(), 1u) << word;
    ++words_checked;
  }
  EXPECT_GT(words_checked, 46);  // the 46 caption words, the templates' words, punctuation
  // A word the corpus never had is split into several tokens.
  EXPECT_GT(tok.encode("zebra").size(), 1u);
}

}  // namespace
}  // namespace deltaedit::demo_train
