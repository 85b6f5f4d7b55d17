// The text tower run as shared prefixes plus continuations equals running each whole sequence.
#include "core/nets/clip/clip_text_prefix.h"

#include <random>

#include <gtest/gtest.h>

#include "tests/nets/clip/clip_test_util.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::testing {
namespace {

class ClipTextPrefixTest : public ::testing::Test {
 protected:
  void SetUp() override { DELTAEDIT_REQUIRE_FIXTURES(); }

  nets::ClipModelImpl& clip() { return *fixture_clip(); }
  int64_t eot() { return clip().vocab_size() - 1; }
  int64_t sot() { return clip().vocab_size() - 2; }

  // Ordinary word ids (below SOT), deterministic.
  std::vector<int64_t> words(std::mt19937& rng, int64_t count) {
    std::uniform_int_distribution<int64_t> id(0, sot() - 1);
    std::vector<int64_t> out(count);
    for (auto& v : out) v = id(rng);
    return out;
  }

  // Features of whole sequences through the ordinary path, one row each.
  torch::Tensor whole(const std::vector<std::vector<int64_t>>& sequences) {
    std::vector<torch::Tensor> rows;
    for (const auto& s : sequences) rows.push_back(clip().encode_text(torch::tensor(s).unsqueeze(0)));
    return torch::cat(rows);
  }
};

// Prefixes of 1..9 tokens, continuations of 1..12 (several length groups, ragged prefixes in
// one group, rows used twice and in any order): equal far below the reference tolerance.
TEST_F(ClipTextPrefixTest, ContinuationsEqualWholeSequences) {
  torch::NoGradGuard no_grad;
  std::mt19937 rng(7);
  std::vector<std::vector<int64_t>> prefixes;
  for (int64_t p = 1; p <= 9; ++p) {
    auto w = words(rng, p - 1);
    w.insert(w.begin(), sot());
    prefixes.push_back(w);
  }
  const auto states = nets::encode_text_prefixes(clip(), prefixes);
  ASSERT_EQ(states.layers.size(), static_cast<size_t>(clip().config().transformer_layers));

  std::vector<int64_t> rows;
  std::vector<std::vector<int64_t>> continuations, sequences;
  for (int64_t n = 0; n < 30; ++n) {
    const int64_t row = (n * 5) % 9;
    auto cont = words(rng, n % 12);
    cont.push_back(eot());
    if (n % 4 == 0) cont.insert(cont.end(), {3, 0, 0});  // tokens after the read position
    rows.push_back(row);
    continuations.push_back(cont);
    auto seq = prefixes[row];
    seq.insert(seq.end(), cont.begin(), cont.end());
    sequences.push_back(seq);
  }
  const auto got = nets::encode_text_continuations(clip(), states, rows, continuations);
  const auto expected = whole(sequences);
  ASSERT_EQ(got.sizes(), expected.sizes());
  const double scale = std::max(1.0, expected.abs().max().item<double>());
  EXPECT_LE(max_abs_diff(got, expected), 1e-5 * scale);
  // A changed prefix token must change the result: the states are really used.
  auto other = prefixes;
  other[8][3] = (other[8][3] + 1) % sot();
  const auto changed = nets::encode_text_continuations(
      clip(), nets::encode_text_prefixes(clip(), other), {8}, {continuations[0]});
  auto seq = prefixes[8];
  seq.insert(seq.end(), continuations[0].begin(), continuations[0].end());
  EXPECT_GT(max_abs_diff(changed, whole({seq})), 1e-3 * scale);
}

TEST_F(ClipTextPrefixTest, RefusesWhatItCannotReadExactly) {
  torch::NoGradGuard no_grad;
  const auto states = nets::encode_text_prefixes(clip(), {{sot(), 5}, {sot()}});
  // The largest id inside the prefix: features would come from there.
  EXPECT_THROW(nets::encode_text_continuations(clip(), states, {0}, {{4, 6}}),
               std::invalid_argument);
  EXPECT_THROW(nets::encode_text_continuations(clip(), states, {2}, {{eot()}}),
               std::invalid_argument);  // no such prefix
  EXPECT_THROW(nets::encode_text_continuations(clip(), states, {0}, {{}}), std::invalid_argument);
  EXPECT_THROW(nets::encode_text_continuations(clip(), states, {0}, {{clip().vocab_size()}}),
               std::invalid_argument);
  EXPECT_THROW(nets::encode_text_continuations(clip(), states, {0, 1}, {{eot()}}),
               std::invalid_argument);
  std::vector<int64_t> too_long(clip().context_length() - 1, 1);
  too_long.push_back(eot());
  EXPECT_THROW(nets::encode_text_continuations(clip(), states, {0}, {too_long}),
               std::invalid_argument);
  EXPECT_THROW(nets::encode_text_prefixes(clip(), {}), std::invalid_argument);
  EXPECT_THROW(nets::encode_text_prefixes(clip(), {{}}), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::testing
