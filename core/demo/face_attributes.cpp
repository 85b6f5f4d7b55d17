#include "core/demo/face_attributes.h"

#include <array>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "core/demo/demo_random.h"
#include "core/demo/latent_draws.h"

namespace deltaedit::demo {
namespace {

constexpr std::array<std::string_view, kHairColourCount> kHairNames = {"black", "brown", "blond",
                                                                       "red",   "grey",  "blue"};
constexpr std::array<std::string_view, kBackgroundCount> kBackgroundNames = {
    "white", "blue", "green", "yellow", "pink", "purple", "orange"};

template <typename Rng>
float rnd(Rng& rng, double lo, double hi) {
  return static_cast<float>(uniform(rng, lo, hi));
}

}  // namespace

std::string_view name_of(HairColour c) { return kHairNames.at(static_cast<size_t>(c)); }
std::string_view name_of(Background b) { return kBackgroundNames.at(static_cast<size_t>(b)); }

HairColour parse_hair_colour(std::string_view name) {
  for (size_t i = 0; i < kHairNames.size(); ++i)
    if (kHairNames[i] == name) return static_cast<HairColour>(i);
  throw std::invalid_argument("unknown hair colour '" + std::string(name) + "'");
}

Background parse_background(std::string_view name) {
  for (size_t i = 0; i < kBackgroundNames.size(); ++i)
    if (kBackgroundNames[i] == name) return static_cast<Background>(i);
  throw std::invalid_argument("unknown background '" + std::string(name) + "'");
}

SmileLevel smile_level(float smile) {
  if (smile < -0.3f) return SmileLevel::kFrown;
  if (smile < 0.3f) return SmileLevel::kNeutral;
  if (smile < 0.7f) return SmileLevel::kSmile;
  return SmileLevel::kBigSmile;
}

HairLength hair_length_class(float hair_length) {
  if (hair_length < 0.3f) return HairLength::kShort;
  if (hair_length < 0.6f) return HairLength::kMedium;
  return HairLength::kLong;
}

SkinLevel skin_level(float skin_tone) {
  if (skin_tone < 0.25f) return SkinLevel::kLight;
  if (skin_tone < 0.7f) return SkinLevel::kMedium;
  return SkinLevel::kDark;
}

EyeLevel eye_level(float eye_size) {
  if (eye_size < 0.25f) return EyeLevel::kSmall;
  if (eye_size < 0.75f) return EyeLevel::kAverage;
  return EyeLevel::kBig;
}

namespace {

template <typename Rng>
FaceAttributes sample_attributes_from(Rng& rng) {
  // The draw order is part of the dataset's definition: append new draws at the end only.
  FaceAttributes a;
  a.smile = rnd(rng, -1, 1);
  a.hair_colour = static_cast<HairColour>(pick(rng, kHairColourCount));
  a.hair_length = rnd(rng, 0, 1);
  a.eyeglasses = chance(rng, kGlassesChance);
  a.skin_tone = rnd(rng, 0, 1);
  a.eye_size = rnd(rng, 0, 1);
  a.beard = chance(rng, kBeardChance);
  a.background = static_cast<Background>(pick(rng, kBackgroundCount));

  Nuisance& n = a.nuisance;
  n.head_x = rnd(rng, -0.04, 0.04);
  n.head_y = rnd(rng, -0.03, 0.03);
  n.head_scale = rnd(rng, 0.92, 1.08);
  n.head_roll_deg = rnd(rng, -7, 7);
  n.face_width = rnd(rng, 0.9, 1.1);
  n.jaw_taper = rnd(rng, 0.15, 0.35);
  n.nose_size = rnd(rng, 0.8, 1.25);
  n.mouth_width = rnd(rng, 0.85, 1.15);
  n.brow_thickness = rnd(rng, 0.7, 1.4);
  n.brow_raise = rnd(rng, -1, 1);
  n.hair_shade = rnd(rng, -1, 1);
  n.hair_parting = pick(rng, 3) - 1;
  n.iris_colour = pick(rng, 4);
  n.glasses_style = pick(rng, 2);
  n.glasses_colour = pick(rng, 4);
  n.shirt_hue = rnd(rng, 0, 1);
  n.shirt_value = rnd(rng, 0.3, 0.85);
  n.background_shade = rnd(rng, -1, 1);
  n.light_angle_deg = rnd(rng, 0, 360);
  n.light_strength = rnd(rng, 0, 0.3);
  n.exposure = rnd(rng, 0.88, 1.1);
  n.caption_variant = rng();
  return a;
}

}  // namespace

FaceAttributes sample_attributes(std::mt19937_64& rng) { return sample_attributes_from(rng); }
FaceAttributes sample_attributes(LatentDraws& draws) { return sample_attributes_from(draws); }

nlohmann::json to_json(const FaceAttributes& a) {
  const Nuisance& n = a.nuisance;
  return {
      {"smile", a.smile},
      {"hair_colour", name_of(a.hair_colour)},
      {"hair_length", a.hair_length},
      {"eyeglasses", a.eyeglasses},
      {"skin_tone", a.skin_tone},
      {"eye_size", a.eye_size},
      {"beard", a.beard},
      {"background", name_of(a.background)},
      {"nuisance",
       {{"head_x", n.head_x},
        {"head_y", n.head_y},
        {"head_scale", n.head_scale},
        {"head_roll_deg", n.head_roll_deg},
        {"face_width", n.face_width},
        {"jaw_taper", n.jaw_taper},
        {"nose_size", n.nose_size},
        {"mouth_width", n.mouth_width},
        {"brow_thickness", n.brow_thickness},
        {"brow_raise", n.brow_raise},
        {"hair_shade", n.hair_shade},
        {"hair_parting", n.hair_parting},
        {"iris_colour", n.iris_colour},
        {"glasses_style", n.glasses_style},
        {"glasses_colour", n.glasses_colour},
        {"shirt_hue", n.shirt_hue},
        {"shirt_value", n.shirt_value},
        {"background_shade", n.background_shade},
        {"light_angle_deg", n.light_angle_deg},
        {"light_strength", n.light_strength},
        {"exposure", n.exposure},
        {"caption_variant", n.caption_variant}}},
  };
}

namespace {

const nlohmann::json& field(const nlohmann::json& j, const char* key) {
  if (!j.is_object() || !j.contains(key))
    throw std::invalid_argument(std::string("face attributes: missing '") + key + "'");
  return j.at(key);
}

template <typename T>
T get(const nlohmann::json& j, const char* key) {
  const nlohmann::json& v = field(j, key);
  const bool ok = std::is_same_v<T, bool>          ? v.is_boolean()
                  : std::is_same_v<T, std::string> ? v.is_string()
                  : std::is_integral_v<T>          ? v.is_number_integer()
                                                   : v.is_number();
  if (!ok)
    throw std::invalid_argument(std::string("face attributes: '") + key + "' has the wrong type");
  return v.get<T>();
}

void in_range(int v, int lo, int hi, const char* key) {
  if (v < lo || v > hi)
    throw std::invalid_argument(std::string("face attributes: '") + key +
                                "' = " + std::to_string(v) + " is outside [" + std::to_string(lo) +
                                ", " + std::to_string(hi) + "]");
}

}  // namespace

FaceAttributes attributes_from_json(const nlohmann::json& j) {
  FaceAttributes a;
  a.smile = get<float>(j, "smile");
  a.hair_colour = parse_hair_colour(get<std::string>(j, "hair_colour"));
  a.hair_length = get<float>(j, "hair_length");
  a.eyeglasses = get<bool>(j, "eyeglasses");
  a.skin_tone = get<float>(j, "skin_tone");
  a.eye_size = get<float>(j, "eye_size");
  a.beard = get<bool>(j, "beard");
  a.background = parse_background(get<std::string>(j, "background"));
  const nlohmann::json& nj = field(j, "nuisance");
  Nuisance& n = a.nuisance;
  n.head_x = get<float>(nj, "head_x");
  n.head_y = get<float>(nj, "head_y");
  n.head_scale = get<float>(nj, "head_scale");
  n.head_roll_deg = get<float>(nj, "head_roll_deg");
  n.face_width = get<float>(nj, "face_width");
  n.jaw_taper = get<float>(nj, "jaw_taper");
  n.nose_size = get<float>(nj, "nose_size");
  n.mouth_width = get<float>(nj, "mouth_width");
  n.brow_thickness = get<float>(nj, "brow_thickness");
  n.brow_raise = get<float>(nj, "brow_raise");
  n.hair_shade = get<float>(nj, "hair_shade");
  n.hair_parting = get<int>(nj, "hair_parting");
  n.iris_colour = get<int>(nj, "iris_colour");
  n.glasses_style = get<int>(nj, "glasses_style");
  n.glasses_colour = get<int>(nj, "glasses_colour");
  n.shirt_hue = get<float>(nj, "shirt_hue");
  n.shirt_value = get<float>(nj, "shirt_value");
  n.background_shade = get<float>(nj, "background_shade");
  n.light_angle_deg = get<float>(nj, "light_angle_deg");
  n.light_strength = get<float>(nj, "light_strength");
  n.exposure = get<float>(nj, "exposure");
  n.caption_variant = get<uint64_t>(nj, "caption_variant");
  in_range(n.hair_parting, -1, 1, "hair_parting");
  in_range(n.iris_colour, 0, 3, "iris_colour");
  in_range(n.glasses_style, 0, 1, "glasses_style");
  in_range(n.glasses_colour, 0, 3, "glasses_colour");
  return a;
}

}  // namespace deltaedit::demo
