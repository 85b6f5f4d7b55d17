#include "core/demo_train/attribute_counterparts.h"

#include <cstdio>
#include <stdexcept>

#include <ATen/Parallel.h>

#include "core/demo/captions.h"
#include "core/demo/demo_dataset.h"
#include "core/demo/portrait_renderer.h"
#include "core/demo/demo_random.h"
#include "core/text/prompt_templates.h"

namespace deltaedit::demo_train {

using demo::chance;
using demo::pick;
using demo::uniform;

demo::FaceAttributes counterpart(const demo::FaceAttributes& a, AttributeFamily family,
                                 std::mt19937_64& rng) {
  demo::FaceAttributes b = a;
  // Targets well inside the other level, so that the caption word is clearly right.
  switch (family) {
    case AttributeFamily::kSmile: {
      const auto level = demo::smile_level(a.smile);
      const bool smiling = level == demo::SmileLevel::kSmile || level == demo::SmileLevel::kBigSmile;
      b.smile = smiling ? static_cast<float>(chance(rng, 0.7) ? uniform(rng, -0.15, 0.15) : uniform(rng, -1.0, -0.5))
                        : static_cast<float>(uniform(rng, 0.45, 1.0));
      break;
    }
    case AttributeFamily::kHairColour:
      b.hair_colour = static_cast<demo::HairColour>(
          (static_cast<int>(a.hair_colour) + 1 + pick(rng, demo::kHairColourCount - 1)) % demo::kHairColourCount);
      break;
    case AttributeFamily::kHairLength:
      b.hair_length = demo::hair_length_class(a.hair_length) == demo::HairLength::kLong
                          ? static_cast<float>(uniform(rng, 0.02, 0.25))
                          : static_cast<float>(uniform(rng, 0.7, 1.0));
      break;
    case AttributeFamily::kGlasses:
      b.eyeglasses = !a.eyeglasses;
      break;
    case AttributeFamily::kBeard:
      b.beard = !a.beard;
      break;
    case AttributeFamily::kSkin:
      b.skin_tone = demo::skin_level(a.skin_tone) == demo::SkinLevel::kDark
                        ? static_cast<float>(uniform(rng, 0.0, 0.2))
                        : static_cast<float>(uniform(rng, 0.78, 1.0));
      break;
    case AttributeFamily::kEyes:
      b.eye_size = demo::eye_level(a.eye_size) == demo::EyeLevel::kBig
                       ? static_cast<float>(uniform(rng, 0.0, 0.2))
                       : static_cast<float>(uniform(rng, 0.8, 1.0));
      break;
  }
  return b;
}

std::string family_phrase(const demo::FaceAttributes& a, AttributeFamily family) {
  switch (family) {
    case AttributeFamily::kSmile:
      switch (demo::smile_level(a.smile)) {
        case demo::SmileLevel::kFrown:
          return "a frown";
        case demo::SmileLevel::kSmile:
          return "a smile";
        case demo::SmileLevel::kBigSmile:
          return "a big smile";
        case demo::SmileLevel::kNeutral:
          return "";
      }
      return "";
    case AttributeFamily::kHairColour:
      return std::string(demo::name_of(a.hair_colour)) + " hair";
    case AttributeFamily::kHairLength:
      return demo::hair_length_word(demo::hair_length_class(a.hair_length)) + " hair";
    case AttributeFamily::kGlasses:
      return a.eyeglasses ? "glasses" : "";
    case AttributeFamily::kBeard:
      return a.beard ? "a beard" : "";
    case AttributeFamily::kSkin:
      switch (demo::skin_level(a.skin_tone)) {
        case demo::SkinLevel::kLight:
          return "light skin";
        case demo::SkinLevel::kDark:
          return "dark skin";
        case demo::SkinLevel::kMedium:
          return "";
      }
      return "";
    case AttributeFamily::kEyes:
      switch (demo::eye_level(a.eye_size)) {
        case demo::EyeLevel::kSmall:
          return "small eyes";
        case demo::EyeLevel::kBig:
          return "big eyes";
        case demo::EyeLevel::kAverage:
          return "";
      }
      return "";
  }
  return "";
}

std::pair<std::string, std::string> counterpart_captions(const demo::FaceAttributes& a,
                                                         const demo::FaceAttributes& b,
                                                         AttributeFamily family,
                                                         std::mt19937_64& rng, double neutral_share) {
  std::pair<std::string, std::string> c;
  if (chance(rng, 0.5)) {
    const uint64_t variant = rng();
    c = {demo::caption_for(a, variant), demo::caption_for(b, variant)};
  } else {
    // DeltaEdit's own pair of prompts: "face with <attribute>" and plain "face".
    static const char* const kSubjects[] = {"face", "a face", "a person"};
    const std::string subject = kSubjects[pick(rng, 3)];
    const auto caption = [&](const demo::FaceAttributes& x) {
      const std::string phrase = family_phrase(x, family);
      return phrase.empty() ? subject : subject + " with " + phrase;
    };
    c = {caption(a), caption(b)};
    // Drawn only when asked for, so that runs without it keep their captions draw for draw.
    const bool both_named = c.first != subject && c.second != subject;
    if (neutral_share > 0 && both_named && chance(rng, neutral_share))
      (chance(rng, 0.5) ? c.first : c.second) = subject;
  }
  if (chance(rng, 0.5)) {
    const auto& templates = text::prompt_templates();
    const auto& t = templates[static_cast<size_t>(pick(rng, static_cast<int>(templates.size())))];
    c = {text::fill_template(t, c.first), text::fill_template(t, c.second)};
  }
  return c;
}

void write_counterpart_pairs(const std::filesystem::path& dir, uint64_t dataset_seed, int64_t count,
                             int size, const std::function<void(int64_t, int64_t)>& progress) {
  std::filesystem::create_directories(dir);
  constexpr uint64_t kStreamCounterparts = 0xC0A;
  constexpr int64_t kChunk = 64;
  for (int64_t lo = 0; lo < count; lo += kChunk) {
    const int64_t hi = std::min(count, lo + kChunk);
    at::parallel_for(lo, hi, 1, [&](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        char name[32];
        std::snprintf(name, sizeof(name), "%06lld", static_cast<long long>(i));
        const auto a_file = dir / (std::string(name) + "a.png"), b_file = dir / (std::string(name) + "b.png");
        if (demo::png_is_complete(a_file) && demo::png_is_complete(b_file)) continue;
        const demo::FaceAttributes a = demo::dataset_attributes(dataset_seed, demo::Split::kTrain, i);
        std::mt19937_64 rng(demo::mix_seed(dataset_seed, kStreamCounterparts, static_cast<uint64_t>(i)));
        const demo::FaceAttributes b = counterpart(a, static_cast<AttributeFamily>(i % kAttributeFamilies), rng);
        demo::write_png_atomically(a_file, demo::render_face(a, size));
        demo::write_png_atomically(b_file, demo::render_face(b, size));
      }
    });
    if (progress) progress(hi, count);
  }
}

}  // namespace deltaedit::demo_train
