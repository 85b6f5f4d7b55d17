#include "core/demo/captions.h"

#include <vector>

#include "core/demo/demo_random.h"

namespace deltaedit::demo {

std::string hair_length_word(HairLength l) {
  switch (l) {
    case HairLength::kShort:
      return "short";
    case HairLength::kMedium:
      return "medium-length";
    case HairLength::kLong:
      return "long";
  }
  return "";
}

std::string caption_for(const FaceAttributes& attributes) {
  return caption_for(attributes, attributes.nuisance.caption_variant);
}

std::string caption_for(const FaceAttributes& a, uint64_t variant) {
  std::mt19937_64 rng(mix_seed(variant, 0xCA97, 0));
  const SmileLevel smile = smile_level(a.smile);
  const int form = pick(rng, 5);
  // Forms 1 and 4 turn the expression into an adjective in front of the noun.
  const bool smile_as_adjective = (form == 1 || form == 4) && smile != SmileLevel::kNeutral;

  std::vector<std::string> items;
  if (!smile_as_adjective) {
    if (smile == SmileLevel::kFrown) items.push_back("a frown");
    if (smile == SmileLevel::kSmile) items.push_back("a smile");
    if (smile == SmileLevel::kBigSmile) items.push_back("a big smile");
  }
  items.push_back(hair_length_word(hair_length_class(a.hair_length)) + " " +
                  std::string(name_of(a.hair_colour)) + " hair");
  if (a.eyeglasses) items.push_back(chance(rng, 0.5) ? "glasses" : "eyeglasses");
  if (a.beard) items.push_back("a beard");
  const SkinLevel skin = skin_level(a.skin_tone);
  if (skin == SkinLevel::kLight) items.push_back(chance(rng, 0.5) ? "light skin" : "fair skin");
  if (skin == SkinLevel::kDark) items.push_back("dark skin");
  const EyeLevel eyes = eye_level(a.eye_size);
  if (eyes == EyeLevel::kSmall) items.push_back("small eyes");
  if (eyes == EyeLevel::kBig) items.push_back(chance(rng, 0.5) ? "big eyes" : "large eyes");
  for (size_t i = items.size(); i > 1; --i)  // Fisher-Yates with our own draws
    std::swap(items[i - 1], items[static_cast<size_t>(pick(rng, static_cast<int>(i)))]);

  const std::string bg_colour(name_of(a.background));
  const std::string article = bg_colour[0] == 'o' ? "an " : "a ";  // "an orange background"
  static const char* const kPlaces[] = {"on ", "in front of ", "against "};
  const std::string place = kPlaces[pick(rng, 3)] + article + bg_colour + " background";
  std::string adjective;
  if (smile_as_adjective) {
    adjective = smile == SmileLevel::kFrown   ? "frowning "
                : smile == SmileLevel::kSmile ? "smiling "
                                              : "broadly smiling ";
  }
  const std::string list = join_list(items);
  switch (form) {
    case 0:
      return "a face with " + list + ", " + place;
    case 1:
      return "a " + adjective + "face with " + list + ", " + place;
    case 2:
      return "a portrait of a person with " + list + ", " + place;
    case 3:
      return "a photo of a face " + place + ", with " + list;
    default:
      return "a " + adjective + "person with " + list + ", " + place;
  }
}

std::string join_list(const std::vector<std::string>& items) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += (i + 1 == items.size()) ? " and " : ", ";
    out += items[i];
  }
  return out;
}

}  // namespace deltaedit::demo
