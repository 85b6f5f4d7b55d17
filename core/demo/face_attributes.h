#pragma once
// The demo domain's portraits are fully described by these numbers: the named attributes are
// what captions talk about and what the attribute predictor learns; the nuisance parameters
// only make the images varied (pose, lighting, small shape differences).
#include <cstdint>
#include <random>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

namespace deltaedit::demo {

enum class HairColour { kBlack, kBrown, kBlond, kRed, kGrey, kBlue };
inline constexpr int kHairColourCount = 6;

enum class Background { kWhite, kBlue, kGreen, kYellow, kPink, kPurple, kOrange };
inline constexpr int kBackgroundCount = 7;
// How often sample_attributes draws glasses and a beard.
inline constexpr double kGlassesChance = 0.35, kBeardChance = 0.3;

// Caption words ("blond", "blue"); parse_* throws std::invalid_argument on an unknown word.
std::string_view name_of(HairColour c);
std::string_view name_of(Background b);
HairColour parse_hair_colour(std::string_view name);
Background parse_background(std::string_view name);

// Parameters that change the picture but not its description.
struct Nuisance {
  float head_x = 0.0f;         // head offset, fraction of the image width
  float head_y = 0.0f;         // ... of the height
  float head_scale = 1.0f;     // whole figure scale
  float head_roll_deg = 0.0f;  // head tilt around the neck (degrees, + = clockwise)
  float face_width = 1.0f;     // head width relative to the average
  float jaw_taper = 0.25f;     // how much narrower the chin is than the cheeks
  float nose_size = 1.0f;
  float mouth_width = 1.0f;
  float brow_thickness = 1.0f;
  float brow_raise = 0.0f;        // eyebrow height offset, -1..1
  float hair_shade = 0.0f;        // -1 darker .. 1 lighter variant of the hair colour
  int hair_parting = 0;           // -1 left, 0 none (straight fringe), 1 right
  int iris_colour = 0;            // index into the iris palette (brown, blue, green, grey)
  int glasses_style = 0;          // 0 round, 1 rectangular
  int glasses_colour = 0;         // index into the frame palette (black, brown, gold, red)
  float shirt_hue = 0.0f;         // 0..1
  float shirt_value = 0.6f;       // 0..1 brightness of the shirt
  float background_shade = 0.0f;  // -1 darker .. 1 lighter variant of the background
  float light_angle_deg = 0.0f;   // direction the light comes from
  float light_strength = 0.0f;    // 0 flat .. 0.3 strong side light
  float exposure = 1.0f;          // overall brightness factor
  uint64_t caption_variant = 0;   // picks the caption's phrasing
};

struct FaceAttributes {
  float smile = 0.0f;  // -1 frown .. 0 neutral .. 1 broad open-mouthed smile
  HairColour hair_colour = HairColour::kBrown;
  float hair_length = 0.4f;  // 0 cropped .. ~0.35 chin .. 1 below the shoulders
  bool eyeglasses = false;
  float skin_tone = 0.3f;  // 0 very light .. 1 very dark
  float eye_size = 0.5f;   // 0 small .. 1 big
  bool beard = false;
  Background background = Background::kWhite;
  Nuisance nuisance;
};

// The categorical view of the continuous attributes: the words a caption uses for them
// (neutral smile, medium skin and average eyes are not mentioned).
enum class SmileLevel { kFrown, kNeutral, kSmile, kBigSmile };  // <-0.3, <0.3, <0.7, else
enum class HairLength { kShort, kMedium, kLong };               // <0.3, <0.6, else
enum class SkinLevel { kLight, kMedium, kDark };                // <0.25, <0.7, else
enum class EyeLevel { kSmall, kAverage, kBig };                 // <0.25, <0.75, else
SmileLevel smile_level(float smile);
HairLength hair_length_class(float hair_length);
SkinLevel skin_level(float skin_tone);
EyeLevel eye_level(float eye_size);

// A random portrait: named attributes spread evenly over their ranges (so that every caption
// word is common), nuisance parameters in ranges that keep the face recognisable.
FaceAttributes sample_attributes(std::mt19937_64& rng);
// The same draws taken from a latent code's uniform numbers (latent_draws.h);
// kAttributeDraws of them. Throws std::out_of_range when given fewer.
class LatentDraws;
FaceAttributes sample_attributes(LatentDraws& draws);
inline constexpr int kAttributeDraws = 30;

// JSON with every number (the ground truth of the attribute predictor); from_json accepts only
// what to_json writes and throws std::invalid_argument naming the bad key.
nlohmann::json to_json(const FaceAttributes& a);
FaceAttributes attributes_from_json(const nlohmann::json& j);

}  // namespace deltaedit::demo
