#include "core/text/text_direction.h"

#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "tests/nets/mapper/mini_json.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::text {
namespace {

using testing::fixture;
using testing::fixture_npy;
using testing::read_text;
namespace mj = testing::mini_json;

std::shared_ptr<const ClipTokenizer> fixture_tokenizer() {
  static const auto tok = std::make_shared<const ClipTokenizer>(
      ClipTokenizer::from_file(fixture("clip/bpe_simple_vocab_16e6.txt.gz")));
  return tok;
}

TextDirectionEncoder fixture_encoder() {
  auto clip = nets::load_clip(fixture("clip/clip_jit.pt"), nets::choose_device("cpu"));
  return TextDirectionEncoder(clip.net, fixture_tokenizer());
}

struct Pair {
  std::string target, neutral;
};

std::vector<Pair> fixture_pairs() {
  const auto json = read_text(fixture("clip/text_delta.json"));
  std::vector<Pair> pairs;
  for (size_t at = json.find("\"target\""); at != std::string::npos;
       at = json.find("\"target\"", at + 1)) {
    pairs.push_back({mj::string_value(json, "target", at), mj::string_value(json, "neutral", at)});
  }
  return pairs;
}

double elapsed_ms(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

TEST(PromptTemplates, EqualTheReferenceEnsemble) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto expected = mj::string_array(read_text(fixture("clip/templates.json")));
  ASSERT_EQ(expected.size(), 79u);
  EXPECT_EQ(prompt_templates(), expected);
}

TEST(PromptTemplates, FillReplacesThePlaceholder) {
  EXPECT_EQ(fill_template("a bad photo of a {}.", "face with smile"),
            "a bad photo of a face with smile.");
  EXPECT_EQ(fill_template("a {} in a video game.", "face"), "a face in a video game.");
}

TEST(TextDirection, TemplateFeaturesMatchReference) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto enc = fixture_encoder();
  const auto pair = fixture_pairs().at(0);
  const auto ref = fixture_npy("clip/text_delta_pair0_template_features.npy");  // [2, 79, E]
  EXPECT_CLOSE_TO_REF(enc.template_features(pair.target), ref[0], 1e-4);
  EXPECT_CLOSE_TO_REF(enc.template_features(pair.neutral), ref[1], 1e-4);
}

TEST(TextDirection, ClassEmbeddingsAndDeltasMatchGetDt) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto enc = fixture_encoder();
  const auto pairs = fixture_pairs();
  const auto ref_classes = fixture_npy("clip/text_delta_class_embeddings.npy");  // [P, 2, E]
  const auto ref_raw = fixture_npy("clip/text_delta.npy");                       // [P, E]
  const auto ref_norm = fixture_npy("clip/text_delta_normalized.npy");           // [P, E]
  ASSERT_EQ(pairs.size(), 3u);
  ASSERT_EQ(ref_raw.size(0), 3);
  for (size_t i = 0; i < pairs.size(); ++i) {
    SCOPED_TRACE(pairs[i].target + " vs " + pairs[i].neutral);
    const auto target = enc.class_embedding(pairs[i].target);
    EXPECT_CLOSE_TO_REF(target, ref_classes[i][0], 1e-3);
    EXPECT_NEAR(target.norm().item<double>(), 1.0, 1e-5);
    EXPECT_CLOSE_TO_REF(enc.class_embedding(pairs[i].neutral), ref_classes[i][1], 1e-3);
    const auto dt = enc.direction(pairs[i].target, pairs[i].neutral);
    EXPECT_CLOSE_TO_REF(dt.raw, ref_raw[i], 1e-3);
    EXPECT_CLOSE_TO_REF(dt.normalized, ref_norm[i], 1e-3);
  }
}

TEST(TextDirection, PipelineDirections) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto enc = fixture_encoder();
  const auto config = read_text(fixture("pipeline/config.json"));
  const auto targets = mj::string_array(config, "targets");
  const auto neutral = mj::string_value(config, "neutral");
  const auto ref_raw = fixture_npy("pipeline/dt_raw.npy");
  const auto ref_dt = fixture_npy("pipeline/dt.npy");
  ASSERT_EQ(static_cast<int64_t>(targets.size()), ref_raw.size(0));
  for (size_t t = 0; t < targets.size(); ++t) {
    const auto dt = enc.direction(targets[t], neutral);
    EXPECT_CLOSE_TO_REF(dt.raw, ref_raw[t], 1e-3) << targets[t];
    EXPECT_CLOSE_TO_REF(dt.normalized, ref_dt[t], 1e-3) << targets[t];
  }
}

// The template words run once and kept (clip_text_prefix.h) give what encoding each filled
// template whole gives, also for prompts that cleaning or BPE treat unusually.
TEST(TextDirection, KeptTemplatePrefixesEqualWholeTemplates) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto clip = nets::load_clip(fixture("clip/clip_jit.pt"), nets::choose_device("cpu"));
  TextDirectionEncoder enc(clip.net, fixture_tokenizer());
  torch::NoGradGuard no_grad;
  for (const std::string prompt :
       {"face with a smile", "", "  face  ", "'s face", ".face", "Face WITH Glasses!",
        "caf\u00e9 face", "face <|endoftext|> ignored words", "&amp; face"}) {
    SCOPED_TRACE("prompt '" + prompt + "'");
    std::vector<std::string> texts;
    for (const auto& t : prompt_templates()) texts.push_back(fill_template(t, prompt));
    const auto ids = fixture_tokenizer()->tokenize(texts, clip.net->context_length(), false);
    const auto whole = clip.net->encode_text(ids);  // [79, E]
    const auto kept = enc.template_features(prompt);
    const double scale = std::max(1.0, whole.abs().max().item<double>());
    EXPECT_LE(testing::max_abs_diff(kept, whole), 1e-5 * scale);
  }
}

TEST(TextDirection, SourceEmbeddingIsCached) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto enc = fixture_encoder();
  const auto face = enc.class_embedding("face");
  EXPECT_EQ(enc.cache().size(), 1u);
  EXPECT_EQ(enc.class_embedding("face").data_ptr(), face.data_ptr());  // served from the cache
  enc.direction("face with smile");                                    // default source "face"
  EXPECT_EQ(enc.cache().size(), 2u);
}

TEST(TextDirection, OverlongPromptIsRejected) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto enc = fixture_encoder();
  std::string prompt;
  for (int i = 0; i < 80; ++i) prompt += "face ";
  EXPECT_THROW(enc.class_embedding(prompt), PromptTooLongError);
  EXPECT_EQ(enc.cache().size(), 0u);
}

TEST(TextDirection, TimePerNewPromptSmallModel) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto enc = fixture_encoder();
  enc.class_embedding("face");  // the cached source
  const std::vector<std::string> prompts = {"face with smile", "face with blond hair",
                                            "face with glasses", "an old face"};
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& p : prompts) EXPECT_EQ(enc.direction(p).normalized.size(0), 64);
  std::cout << "[ timing ] new prompt direction, small fixture CLIP, CPU: "
            << elapsed_ms(t0) / prompts.size() << " ms\n";
}

// Full-size ViT-B/32 text tower with random weights (names/shapes/dtypes from the manifest).
TEST(TextDirection, TimePerNewPromptFullSizeRandomClip) {
  DELTAEDIT_REQUIRE_FIXTURES();
  io::StateDict w("ViT-B-32 (random, from manifest)");
  const auto manifest = read_text(fixture("manifests/clip_vit_b32.json"));
  torch::manual_seed(0);
  for (const auto& [name, shape] : mj::manifest_entries(manifest)) {
    const bool ln_weight = name.find("ln_") != std::string::npos && name.ends_with(".weight");
    w.add(name, ln_weight ? torch::ones(shape) : torch::randn(shape) * 0.02);
  }
  auto clip = nets::build_clip(w, nets::choose_device("cpu"));
  TextDirectionEncoder enc(clip, fixture_tokenizer());
  auto t0 = std::chrono::steady_clock::now();
  enc.class_embedding("face");
  const double first_ms = elapsed_ms(t0);
  const std::vector<std::string> prompts = {"face with smile", "face with blond hair"};
  t0 = std::chrono::steady_clock::now();
  for (const auto& p : prompts) {
    const auto dt = enc.direction(p);
    EXPECT_EQ(dt.raw.size(0), 512);
    EXPECT_TRUE(torch::isfinite(dt.normalized).all().item<bool>());
  }
  std::cout << "[ timing ] full-size random ViT-B/32 text tower, CPU (" << torch::get_num_threads()
            << " threads): source class embedding " << first_ms << " ms, new prompt direction "
            << elapsed_ms(t0) / prompts.size() << " ms\n";
}

}  // namespace
}  // namespace deltaedit::text
