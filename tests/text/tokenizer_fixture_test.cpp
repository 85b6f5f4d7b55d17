// Every case of clip/tokenizer.json (produced by OpenAI CLIP's SimpleTokenizer/clip.tokenize
// with ftfy 6.3.1): cleaned text, raw BPE ids, the 77 ids and the truncated 77 ids.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>

#include "core/text/clip_tokenizer.h"
#include "tests/support/fixtures.h"

namespace deltaedit::text {
namespace {

using nlohmann::json;
using testing::fixture;

const ClipTokenizer& tokenizer() {
  static const ClipTokenizer t =
      ClipTokenizer::from_file(fixture("clip/bpe_simple_vocab_16e6.txt.gz"));
  return t;
}

const json& cases() {
  static const json j = json::parse(testing::read_text(fixture("clip/tokenizer.json")));
  return j;
}

std::string describe(const json& c) {
  return "[" + c["category"].get<std::string>() + "] " + c["text"].get<std::string>();
}

std::vector<int64_t> row(const torch::Tensor& t, int64_t i) {
  torch::Tensor r = t[i].contiguous();
  return std::vector<int64_t>(r.data_ptr<int64_t>(), r.data_ptr<int64_t>() + r.numel());
}

TEST(TokenizerFixture, VocabularyAndSpecialTokens) {
  DELTAEDIT_REQUIRE_FIXTURES();
  EXPECT_EQ(tokenizer().vocab_size(), 49408);
  EXPECT_EQ(tokenizer().sot(), cases()["sot"].get<int64_t>());
  EXPECT_EQ(tokenizer().eot(), cases()["eot"].get<int64_t>());
}

TEST(TokenizerFixture, TextIsTheUtf8OfItsHex) {
  DELTAEDIT_REQUIRE_FIXTURES();
  for (const json& c : cases()["cases"]) {
    const std::string hex = c["text_utf8_hex"];
    std::string bytes;
    for (size_t i = 0; i + 1 < hex.size(); i += 2)
      bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
    EXPECT_EQ(bytes, c["text"].get<std::string>()) << describe(c);
  }
}

TEST(TokenizerFixture, CleanedTextMatchesEveryCase) {
  DELTAEDIT_REQUIRE_FIXTURES();
  for (const json& c : cases()["cases"])
    EXPECT_EQ(tokenizer().clean(c["text"].get<std::string>()), c["cleaned"].get<std::string>())
        << describe(c);
}

TEST(TokenizerFixture, RawBpeIdsMatchEveryCase) {
  DELTAEDIT_REQUIRE_FIXTURES();
  for (const json& c : cases()["cases"])
    EXPECT_EQ(tokenizer().encode(c["text"].get<std::string>()),
              c["bpe_ids"].get<std::vector<int64_t>>())
        << describe(c);
}

TEST(TokenizerFixture, ContextIdsMatchEveryCaseOrRefuse) {
  DELTAEDIT_REQUIRE_FIXTURES();
  int refused = 0;
  for (const json& c : cases()["cases"]) {
    const std::string text = c["text"];
    if (c["tokens"].is_null()) {
      ASSERT_TRUE(c["raises_without_truncate"].get<bool>()) << describe(c);
      try {
        tokenizer().tokenize({text});
        ADD_FAILURE() << "expected PromptTooLongError for " << describe(c);
      } catch (const PromptTooLongError& e) {
        ++refused;
        EXPECT_EQ(e.token_count(), c["n_tokens_with_sot_eot"].get<int64_t>());
        EXPECT_NE(std::string(e.what()).find(text), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(std::to_string(e.token_count())), std::string::npos);
      }
      continue;
    }
    const torch::Tensor ids = tokenizer().tokenize({text});
    ASSERT_EQ(ids.dtype(), torch::kLong);
    ASSERT_EQ(ids.sizes(), (std::vector<int64_t>{1, 77}));
    EXPECT_EQ(row(ids, 0), c["tokens"].get<std::vector<int64_t>>()) << describe(c);
  }
  EXPECT_GE(refused, 1) << "the fixture should hold at least one over-long prompt";
}

TEST(TokenizerFixture, TruncatedIdsMatchEveryCase) {
  DELTAEDIT_REQUIRE_FIXTURES();
  std::vector<std::string> texts;
  for (const json& c : cases()["cases"]) texts.push_back(c["text"]);
  const torch::Tensor ids = tokenizer().tokenize(texts, 77, /*truncate=*/true);
  ASSERT_EQ(ids.size(0), static_cast<int64_t>(texts.size()));
  int64_t i = 0;
  for (const json& c : cases()["cases"])
    EXPECT_EQ(row(ids, i++), c["tokens_truncate"].get<std::vector<int64_t>>()) << describe(c);
}

// The prompts of the text-encoder fixture: tokenize must give the ids the CLIP run used.
TEST(TokenizerFixture, TextFeaturePromptsGiveTheEncoderInputIds) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const json prompts =
      json::parse(testing::read_text(fixture("clip/text_features.json")))["prompts"];
  const torch::Tensor expected = testing::fixture_npy("clip/text_tokens.npy");
  const torch::Tensor ids = tokenizer().tokenize(prompts.get<std::vector<std::string>>());
  ASSERT_EQ(ids.sizes(), expected.sizes());
  EXPECT_TRUE(torch::equal(ids, expected.to(torch::kLong)));
}

// Throughput of the editor's real workload (79 templates x 2 classes); printed, never asserted.
TEST(TokenizerFixture, TemplateThroughputIsReported) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto templates = json::parse(testing::read_text(fixture("clip/templates.json")))
                             .get<std::vector<std::string>>();
  ASSERT_EQ(templates.size(), 79u);
  std::vector<std::string> prompts;
  for (const char* classname : {"face with smile", "face"})
    for (std::string t : templates) prompts.push_back(t.replace(t.find("{}"), 2, classname));
  const ClipTokenizer fresh =
      ClipTokenizer::from_file(fixture("clip/bpe_simple_vocab_16e6.txt.gz"));
  auto time_once = [&] {
    const auto start = std::chrono::steady_clock::now();
    const torch::Tensor ids = fresh.tokenize(prompts);
    EXPECT_EQ(ids.size(0), 158);
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  const double cold = time_once();
  double warm = 1e9;
  for (int r = 0; r < 5; ++r) warm = std::min(warm, time_once());
  std::printf(
      "[ tokenizer ] 158 template prompts: cold %.2f ms (%.0f prompts/s), warm cache %.2f ms (%.0f "
      "prompts/s)\n",
      cold * 1e3, 158 / cold, warm * 1e3, 158 / warm);
}

}  // namespace
}  // namespace deltaedit::text
