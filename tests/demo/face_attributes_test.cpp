// Attribute sampling and the JSON ground truth.
#include "core/demo/face_attributes.h"

#include <gtest/gtest.h>

#include <array>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

#include "core/demo/portrait_renderer.h"

namespace deltaedit::demo {
namespace {

TEST(FaceAttributes, JsonRoundTripKeepsEveryNumber) {
  std::mt19937_64 rng(11);
  for (int i = 0; i < 20; ++i) {
    const FaceAttributes a = sample_attributes(rng);
    const nlohmann::json j = to_json(a);
    const FaceAttributes b = attributes_from_json(nlohmann::json::parse(j.dump()));
    EXPECT_EQ(to_json(b), j);
    EXPECT_EQ(cv::norm(render_face(a, 32), render_face(b, 32), cv::NORM_INF), 0.0);
  }
}

TEST(FaceAttributes, JsonHasTheNamedGroundTruth) {
  FaceAttributes a;
  a.smile = 0.75f;
  a.hair_colour = HairColour::kRed;
  a.eyeglasses = true;
  a.background = Background::kPurple;
  const nlohmann::json j = to_json(a);
  EXPECT_FLOAT_EQ(j.at("smile").get<float>(), 0.75f);
  EXPECT_EQ(j.at("hair_colour"), "red");
  EXPECT_EQ(j.at("eyeglasses"), true);
  EXPECT_EQ(j.at("background"), "purple");
  for (const char* key : {"hair_length", "skin_tone", "eye_size", "beard", "nuisance"})
    EXPECT_TRUE(j.contains(key)) << key;
}

TEST(FaceAttributes, BadJsonNamesTheProblem) {
  std::mt19937_64 rng(1);
  const nlohmann::json good = to_json(sample_attributes(rng));
  auto message = [](const nlohmann::json& j) {
    try {
      attributes_from_json(j);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("(no error)");
  };
  nlohmann::json j = good;
  j.erase("smile");
  EXPECT_NE(message(j).find("smile"), std::string::npos);
  j = good;
  j["hair_colour"] = "green";
  EXPECT_NE(message(j).find("green"), std::string::npos);
  j = good;
  j["beard"] = 1;
  EXPECT_NE(message(j).find("beard"), std::string::npos);
  j = good;
  j["nuisance"]["iris_colour"] = 9;
  EXPECT_NE(message(j).find("iris_colour"), std::string::npos);
  EXPECT_NE(message(nlohmann::json::array()).find("missing"), std::string::npos);
}

TEST(FaceAttributes, SamplingCoversEveryCategory) {
  std::mt19937_64 rng(5);
  std::array<int, kHairColourCount> hair{};
  std::array<int, kBackgroundCount> background{};
  std::array<int, 4> smile{};
  std::array<int, 3> length{}, skin{}, eyes{};
  int glasses = 0, beard = 0;
  const int n = 3000;
  for (int i = 0; i < n; ++i) {
    const FaceAttributes a = sample_attributes(rng);
    ++hair[static_cast<size_t>(a.hair_colour)];
    ++background[static_cast<size_t>(a.background)];
    ++smile[static_cast<size_t>(smile_level(a.smile))];
    ++length[static_cast<size_t>(hair_length_class(a.hair_length))];
    ++skin[static_cast<size_t>(skin_level(a.skin_tone))];
    ++eyes[static_cast<size_t>(eye_level(a.eye_size))];
    glasses += a.eyeglasses;
    beard += a.beard;
  }
  // Every caption word must be common enough for a small CLIP to learn it.
  for (int c : hair) EXPECT_GT(c, n / 10);
  for (int c : background) EXPECT_GT(c, n / 10);
  for (int c : smile) EXPECT_GT(c, n / 10);
  for (int c : length) EXPECT_GT(c, n / 5);
  for (int c : skin) EXPECT_GT(c, n / 6);
  for (int c : eyes) EXPECT_GT(c, n / 6);
  EXPECT_NEAR(glasses / double(n), 0.35, 0.04);
  EXPECT_NEAR(beard / double(n), 0.30, 0.04);
}

TEST(FaceAttributes, ParseNamesRoundTrip) {
  for (int c = 0; c < kHairColourCount; ++c)
    EXPECT_EQ(parse_hair_colour(name_of(static_cast<HairColour>(c))), static_cast<HairColour>(c));
  for (int b = 0; b < kBackgroundCount; ++b)
    EXPECT_EQ(parse_background(name_of(static_cast<Background>(b))), static_cast<Background>(b));
  EXPECT_THROW(parse_background("plaid"), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::demo
