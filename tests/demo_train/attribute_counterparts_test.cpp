#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>

#include "core/demo/captions.h"
#include "core/demo/demo_dataset.h"
#include "core/demo_train/attribute_counterparts.h"
#include "tests/support/fixtures.h"

namespace deltaedit::demo_train {
namespace {

constexpr AttributeFamily kFamilies[] = {AttributeFamily::kSmile,   AttributeFamily::kHairColour,
                                         AttributeFamily::kHairLength, AttributeFamily::kGlasses,
                                         AttributeFamily::kBeard,   AttributeFamily::kSkin,
                                         AttributeFamily::kEyes};

// The counterpart moves its family to another caption level and leaves every other family's
// words and every nuisance parameter alone.
TEST(AttributeCounterparts, ChangeExactlyTheirAttribute) {
  std::mt19937_64 rng(21);
  for (int i = 0; i < 300; ++i) {
    const demo::FaceAttributes a = demo::sample_attributes(rng);
    for (const AttributeFamily f : kFamilies) {
      const demo::FaceAttributes b = counterpart(a, f, rng);
      SCOPED_TRACE(static_cast<int>(f));
      for (const AttributeFamily g : kFamilies) {
        if (g == f)
          EXPECT_NE(family_phrase(a, g), family_phrase(b, g));
        else
          EXPECT_EQ(family_phrase(a, g), family_phrase(b, g));
      }
      EXPECT_EQ(a.background, b.background);
      EXPECT_EQ(a.nuisance.caption_variant, b.nuisance.caption_variant);
      EXPECT_EQ(a.nuisance.head_roll_deg, b.nuisance.head_roll_deg);
      EXPECT_EQ(a.nuisance.hair_shade, b.nuisance.hair_shade);
    }
  }
}

// Both caption forms differ between the pair, and only by the attribute's words.
TEST(AttributeCounterparts, CaptionsDifferOnlyInTheAttribute) {
  std::mt19937_64 rng(22);
  int single = 0;
  for (int i = 0; i < 400; ++i) {
    const demo::FaceAttributes a = demo::sample_attributes(rng);
    const auto f = kFamilies[i % 7];
    const demo::FaceAttributes b = counterpart(a, f, rng);
    const auto [ca, cb] = counterpart_captions(a, b, f, rng);
    EXPECT_NE(ca, cb);
    // Full captions always name the background; the short form ("face with a smile" / "face")
    // names nothing but the attribute, in family_phrase's words.
    if (ca.find("background") != std::string::npos) continue;
    ++single;
    for (const auto& [x, caption] : {std::pair{a, ca}, std::pair{b, cb}}) {
      const std::string phrase = family_phrase(x, f);
      if (phrase.empty())
        EXPECT_EQ(caption.find(" with "), std::string::npos) << caption;
      else
        EXPECT_NE(caption.find(" with " + phrase), std::string::npos) << caption;
    }
  }
  EXPECT_GT(single, 120);  // about half of the 400
  EXPECT_LT(single, 280);
}

// neutral_share 1: every short caption pair that names the attribute on both sides names it on
// one side only, leaving the bare subject ("face") on the other, either side; the other pairs
// (one side already bare, full captions) are what neutral_share 0 gives, draw for draw.
TEST(AttributeCounterparts, NeutralShareLeavesOneSideTheBareSubject) {
  int neutral_first = 0, neutral_second = 0;
  std::mt19937_64 draws(23);
  for (int i = 0; i < 400; ++i) {
    const demo::FaceAttributes a = demo::sample_attributes(draws);
    const auto f = kFamilies[i % 7];
    const demo::FaceAttributes b = counterpart(a, f, draws);
    std::mt19937_64 plain_rng(100 + i), neutral_rng(100 + i);
    const auto plain = counterpart_captions(a, b, f, plain_rng);
    const auto [ca, cb] = counterpart_captions(a, b, f, neutral_rng, 1.0);
    EXPECT_NE(ca, cb);
    const bool both_named = !family_phrase(a, f).empty() && !family_phrase(b, f).empty();
    const bool full = ca.find("background") != std::string::npos;
    if (f == AttributeFamily::kHairColour) EXPECT_TRUE(both_named);  // hair always has a colour
    if (f == AttributeFamily::kGlasses) EXPECT_FALSE(both_named);
    if (!both_named || full) {
      EXPECT_EQ(std::pair(ca, cb), plain);
      continue;
    }
    // One side keeps its " with <phrase>", the other is the subject alone (maybe templated).
    const bool first_named = ca.find(" with " + family_phrase(a, f)) != std::string::npos;
    const bool second_named = cb.find(" with " + family_phrase(b, f)) != std::string::npos;
    EXPECT_NE(first_named, second_named) << ca << " / " << cb;
    EXPECT_EQ((first_named ? cb : ca).find(" with "), std::string::npos) << ca << " / " << cb;
    neutral_first += second_named ? 1 : 0;
    neutral_second += first_named ? 1 : 0;
  }
  EXPECT_GT(neutral_first, 25);  // each about half of the short pairs named on both sides
  EXPECT_GT(neutral_second, 25);
}

// Pairs are files a/b in name order; a rerun keeps complete pairs and redoes a truncated one
// (what an interrupted run leaves) into the same bytes.
TEST(AttributeCounterparts, PairFilesResumeAfterATruncatedWrite) {
  namespace fs = std::filesystem;
  const fs::path dir = testing::temp_dir("counterpart_pairs");
  write_counterpart_pairs(dir, 0, 3, 32);
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"000000a.png", "000000b.png", "000001a.png",
                                             "000001b.png", "000002a.png", "000002b.png"}));
  const std::string whole = testing::read_text(dir / "000001b.png");
  EXPECT_NE(whole, testing::read_text(dir / "000001a.png"));  // the counterpart differs
  fs::resize_file(dir / "000001b.png", whole.size() / 2);
  EXPECT_FALSE(demo::png_is_complete(dir / "000001b.png"));
  const auto kept = fs::last_write_time(dir / "000000a.png");
  write_counterpart_pairs(dir, 0, 3, 32);
  EXPECT_EQ(testing::read_text(dir / "000001b.png"), whole);
  EXPECT_EQ(fs::last_write_time(dir / "000000a.png"), kept);
}

}  // namespace
}  // namespace deltaedit::demo_train
