// Captions name exactly the attributes a portrait has, in several phrasings.
#include "core/demo/captions.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace deltaedit::demo {
namespace {

bool has(const std::string& text, const std::string& word) {
  return text.find(word) != std::string::npos;
}

// Checks one caption against the attributes' categories (the table in captions.h).
void expect_describes(const std::string& c, const FaceAttributes& a) {
  SCOPED_TRACE(c);
  const SmileLevel smile = smile_level(a.smile);
  EXPECT_EQ(has(c, "frown"), smile == SmileLevel::kFrown);
  EXPECT_EQ(has(c, "smil"), smile == SmileLevel::kSmile || smile == SmileLevel::kBigSmile);
  EXPECT_EQ(has(c, "big smile") || has(c, "broadly"), smile == SmileLevel::kBigSmile);

  const HairLength length = hair_length_class(a.hair_length);
  EXPECT_EQ(has(c, "short "), length == HairLength::kShort);
  EXPECT_EQ(has(c, "medium-length "), length == HairLength::kMedium);
  EXPECT_EQ(has(c, "long "), length == HairLength::kLong);
  EXPECT_TRUE(has(c, std::string(name_of(a.hair_colour)) + " hair"));
  for (int h = 0; h < kHairColourCount; ++h) {
    if (static_cast<HairColour>(h) == a.hair_colour) continue;
    EXPECT_FALSE(has(c, std::string(name_of(static_cast<HairColour>(h))) + " hair"));
  }

  EXPECT_EQ(has(c, "glasses"), a.eyeglasses);
  EXPECT_EQ(has(c, "beard"), a.beard);

  const SkinLevel skin = skin_level(a.skin_tone);
  EXPECT_EQ(has(c, "light skin") || has(c, "fair skin"), skin == SkinLevel::kLight);
  EXPECT_EQ(has(c, "dark skin"), skin == SkinLevel::kDark);
  EXPECT_EQ(has(c, "skin"), skin != SkinLevel::kMedium);

  const EyeLevel eyes = eye_level(a.eye_size);
  EXPECT_EQ(has(c, "small eyes"), eyes == EyeLevel::kSmall);
  EXPECT_EQ(has(c, "big eyes") || has(c, "large eyes"), eyes == EyeLevel::kBig);
  EXPECT_EQ(has(c, "eyes"), eyes != EyeLevel::kAverage);

  EXPECT_TRUE(has(c, std::string(name_of(a.background)) + " background"));
  for (int b = 0; b < kBackgroundCount; ++b) {
    if (static_cast<Background>(b) == a.background) continue;
    EXPECT_FALSE(has(c, std::string(name_of(static_cast<Background>(b))) + " background"));
  }
}

TEST(Captions, MentionExactlyTheAttributesPresent) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 400; ++i) {
    const FaceAttributes a = sample_attributes(rng);
    for (uint64_t variant : {uint64_t{0}, uint64_t{1}, uint64_t{2}, uint64_t{3}, uint64_t{4},
                             uint64_t{5}, a.nuisance.caption_variant})
      expect_describes(caption_for(a, variant), a);
    if (::testing::Test::HasFailure()) break;
  }
}

TEST(Captions, ExampleReadsNaturally) {
  FaceAttributes a;
  a.smile = 0.5f;
  a.hair_colour = HairColour::kBlond;
  a.hair_length = 0.8f;
  a.eyeglasses = true;
  a.beard = true;
  a.skin_tone = 0.5f;
  a.eye_size = 0.5f;
  a.background = Background::kOrange;
  std::set<std::string> seen;
  for (uint64_t v = 0; v < 40; ++v) seen.insert(caption_for(a, v));
  // The five templates, item orders and synonyms give many phrasings of the same facts.
  EXPECT_GE(seen.size(), 10u);
  for (const std::string& c : seen) {
    EXPECT_TRUE(has(c, "an orange background")) << c;
    EXPECT_TRUE(has(c, "long blond hair")) << c;
    EXPECT_FALSE(has(c, ",,") || has(c, "  ") || has(c, " ,")) << c;
    EXPECT_EQ(c.substr(0, 2), "a ") << c;
  }
}

TEST(Captions, DeterministicPerVariant) {
  std::mt19937_64 rng(3);
  const FaceAttributes a = sample_attributes(rng);
  EXPECT_EQ(caption_for(a), caption_for(a, a.nuisance.caption_variant));
  EXPECT_EQ(caption_for(a, 12345), caption_for(a, 12345));
}

}  // namespace
}  // namespace deltaedit::demo
