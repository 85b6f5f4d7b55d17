#include "core/demo_train/clip_captions.h"

#include <algorithm>
#include <utility>

#include "core/demo/captions.h"
#include "core/demo/demo_random.h"
#include "core/text/prompt_templates.h"

namespace deltaedit::demo_train {
namespace {

using demo::chance;
using demo::join_list;
using demo::pick;

const char* const kPlain[] = {"face", "a face", "a portrait", "a photo of a face", "a person"};

std::string plain_caption(std::mt19937_64& rng) { return kPlain[pick(rng, 5)]; }

}  // namespace

std::string partial_caption(const demo::FaceAttributes& a, std::mt19937_64& rng) {
  // Each candidate item with its words; background last, as a place phrase or an item.
  std::vector<std::string> candidates;
  switch (demo::smile_level(a.smile)) {
    case demo::SmileLevel::kFrown:
      candidates.push_back("a frown");
      break;
    case demo::SmileLevel::kSmile:
      candidates.push_back("a smile");
      break;
    case demo::SmileLevel::kBigSmile:
      candidates.push_back(chance(rng, 0.5) ? "a big smile" : "a smile");
      break;
    case demo::SmileLevel::kNeutral:
      break;
  }
  const std::string colour(demo::name_of(a.hair_colour));
  const std::string length = demo::hair_length_word(demo::hair_length_class(a.hair_length));
  const int hair_form = pick(rng, 3);  // colour only, length only, both
  candidates.push_back(hair_form == 0   ? colour + " hair"
                       : hair_form == 1 ? length + " hair"
                                        : length + " " + colour + " hair");
  if (a.eyeglasses) candidates.push_back(chance(rng, 0.5) ? "glasses" : "eyeglasses");
  if (a.beard) candidates.push_back("a beard");
  const demo::SkinLevel skin = demo::skin_level(a.skin_tone);
  if (skin == demo::SkinLevel::kLight)
    candidates.push_back(chance(rng, 0.5) ? "light skin" : "fair skin");
  if (skin == demo::SkinLevel::kDark) candidates.push_back("dark skin");
  const demo::EyeLevel eyes = demo::eye_level(a.eye_size);
  if (eyes == demo::EyeLevel::kSmall) candidates.push_back("small eyes");
  if (eyes == demo::EyeLevel::kBig) candidates.push_back(chance(rng, 0.5) ? "big eyes" : "large eyes");
  const bool with_background = chance(rng, 0.25);

  // A random non-empty subset, mostly small (1-3 items), in a random order.
  for (size_t i = candidates.size(); i > 1; --i)
    std::swap(candidates[i - 1], candidates[static_cast<size_t>(pick(rng, static_cast<int>(i)))]);
  const size_t most = std::min<size_t>(candidates.size(), 3);
  const size_t keep = 1 + static_cast<size_t>(pick(rng, static_cast<int>(most)));
  candidates.resize(keep);

  static const char* const kHeads[] = {"face with ", "a face with ", "a person with ",
                                       "a portrait of a person with "};
  std::string caption = kHeads[pick(rng, 4)] + join_list(candidates);
  if (with_background) {
    const std::string bg(demo::name_of(a.background));
    static const char* const kPlaces[] = {", on ", ", in front of ", ", against "};
    caption += kPlaces[pick(rng, 3)] + std::string(bg[0] == 'o' ? "an " : "a ") + bg +
               " background";
  }
  return caption;
}

std::string training_caption(const demo::FaceAttributes& attributes, std::mt19937_64& rng) {
  const double kind = demo::uniform01(rng);
  std::string caption = kind < 0.02   ? plain_caption(rng)
                        : kind < 0.51 ? demo::caption_for(attributes, rng())
                                      : partial_caption(attributes, rng);
  if (chance(rng, 0.5)) {
    const auto& templates = text::prompt_templates();
    caption = text::fill_template(templates[static_cast<size_t>(
                                      pick(rng, static_cast<int>(templates.size())))],
                                  caption);
  }
  return caption;
}

std::vector<std::string> caption_corpus(const std::vector<demo::FaceAttributes>& portraits,
                                        int variants) {
  const auto& templates = text::prompt_templates();
  std::vector<std::string> corpus;
  std::mt19937_64 rng(0xB9E);
  auto add = [&](const std::string& caption) {
    corpus.push_back(caption);
    corpus.push_back(text::fill_template(
        templates[static_cast<size_t>(pick(rng, static_cast<int>(templates.size())))], caption));
  };
  for (const auto& a : portraits)
    for (int v = 0; v < variants; ++v) {
      add(demo::caption_for(a, rng()));
      add(partial_caption(a, rng));
    }
  for (const char* plain : kPlain)
    for (const auto& t : templates) corpus.push_back(text::fill_template(t, plain));
  return corpus;
}

}  // namespace deltaedit::demo_train
