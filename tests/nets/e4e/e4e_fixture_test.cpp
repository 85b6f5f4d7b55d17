// Encoder4Editing against the reference outputs of the small random e4e in fixtures/e4e/.
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/nets/e4e/e4e_input.h"
#include "core/nets/e4e/encoder4editing.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::nets {
namespace {

using testing::fixture;
using testing::fixture_npy;

// The integers of a flat JSON value `"key": 12` or `"key": [1, 2, 3]` in config.json.
std::vector<int64_t> json_ints(const std::string& json, const std::string& key) {
  std::smatch m;
  const std::regex re("\"" + key + "\"\\s*:\\s*(\\[[^\\]]*\\]|-?[0-9]+)");
  if (!std::regex_search(json, m, re)) ADD_FAILURE() << "config.json has no " << key;
  std::vector<int64_t> out;
  const std::string body = m.size() > 1 ? m[1].str() : "";
  const std::regex num("-?[0-9]+");
  for (auto it = std::sregex_iterator(body.begin(), body.end(), num); it != std::sregex_iterator();
       ++it)
    out.push_back(std::stoll(it->str()));
  return out;
}

class E4eFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    DELTAEDIT_REQUIRE_FIXTURES();
    e4e_ = load_e4e(fixture("e4e/e4e.pt"), ComputeDevice{});
  }
  LoadedE4e e4e_;
};

TEST_F(E4eFixture, InfersTheGeometryOfConfigJson) {
  const auto json = testing::read_text(fixture("e4e/config.json"));
  const E4eConfig& cfg = e4e_.net->config();
  EXPECT_EQ(cfg.stem_width, json_ints(json, "stem_width").at(0));
  EXPECT_EQ(e4e_.net->style_count(), json_ints(json, "style_count").at(0));
  EXPECT_EQ(e4e_.net->style_dim(), json_ints(json, "style_dim").at(0));
  EXPECT_EQ(cfg.coarse_ind, json_ints(json, "coarse_ind").at(0));
  EXPECT_EQ(cfg.middle_ind, json_ints(json, "middle_ind").at(0));

  // Per stage: its depth and its number of units; the first unit of each stage has stride 2.
  const auto depths = json_ints(json, "stage_depths");
  const auto units = json_ints(json, "stage_units");
  ASSERT_EQ(cfg.stage_last_unit.size(), depths.size());
  int64_t first = 0;
  for (size_t s = 0; s < depths.size(); ++s) {
    EXPECT_EQ(cfg.stage_last_unit[s] - first + 1, units[s]) << "stage " << s;
    for (int64_t i = first; i <= cfg.stage_last_unit[s]; ++i) {
      EXPECT_EQ(cfg.units[i].depth, depths[s]) << "unit " << i;
      EXPECT_EQ(cfg.units[i].stride, i == first ? 2 : 1) << "unit " << i;
    }
    first = cfg.stage_last_unit[s] + 1;
  }
  EXPECT_EQ(e4e_.latent_avg.sizes().vec(), json_ints(json, "latent_avg_shape"));
}

TEST_F(E4eFixture, FeaturesMatchReference) {
  torch::NoGradGuard no_grad;
  const auto f = e4e_.net->forward_features(fixture_npy("e4e/input.npy"));
  EXPECT_CLOSE_TO_REF(f.c1, fixture_npy("e4e/feat_c1.npy"), 1e-4);
  EXPECT_CLOSE_TO_REF(f.c2, fixture_npy("e4e/feat_c2.npy"), 1e-4);
  EXPECT_CLOSE_TO_REF(f.c3, fixture_npy("e4e/feat_c3.npy"), 1e-4);
  EXPECT_CLOSE_TO_REF(f.p2, fixture_npy("e4e/feat_p2.npy"), 1e-4);
  EXPECT_CLOSE_TO_REF(f.style0, fixture_npy("e4e/style0.npy"), 1e-4);
  EXPECT_CLOSE_TO_REF(f.codes, fixture_npy("e4e/codes.npy"), 1e-4);
}

// float16-stored weights (what the engine keeps on CPU): every conv and linear matrix halves,
// batch norm and PReLU stay float32, and the codes stay within the chained-output tolerance of
// the reference.
TEST_F(E4eFixture, HalfStoredWeightsStayCloseToTheReference) {
  const auto stored_in_half = [](const std::string& name, const torch::Tensor& p) {
    const bool in_body_or_styles = name.rfind("body.", 0) == 0 || name.rfind("styles.", 0) == 0;
    return in_body_or_styles && name.ends_with("weight") && p.dim() >= 2;
  };
  int64_t matrices = 0, convs_in_body = 0;
  for (const auto& p : e4e_.net->named_parameters()) {
    if (stored_in_half(p.key(), p.value())) matrices += p.value().numel();
    if (p.key().rfind("body.", 0) == 0 && p.value().dim() == 4) ++convs_in_body;
  }
  EXPECT_GT(convs_in_body, 0);
  EXPECT_EQ(e4e_.net->store_weights_in_half(), 2 * matrices);
  for (const auto& p : e4e_.net->named_parameters())
    EXPECT_EQ(p.value().scalar_type(), stored_in_half(p.key(), p.value()) ? torch::kFloat16 : torch::kFloat32)
        << p.key();
  torch::NoGradGuard no_grad;
  const auto f = e4e_.net->forward_features(fixture_npy("e4e/input.npy"));
  EXPECT_EQ(f.codes.scalar_type(), torch::kFloat32);
  EXPECT_CLOSE_TO_REF(f.c3, fixture_npy("e4e/feat_c3.npy"), 1e-3);
  EXPECT_CLOSE_TO_REF(f.codes, fixture_npy("e4e/codes.npy"), 1e-3);
}

TEST_F(E4eFixture, ForwardGivesTheCodesWithoutLatentAvg) {
  torch::NoGradGuard no_grad;
  EXPECT_CLOSE_TO_REF(e4e_.net->forward(fixture_npy("e4e/input.npy")), fixture_npy("e4e/codes.npy"),
                      1e-4);
}

TEST_F(E4eFixture, WplusAddsLatentAvg) {
  const auto wplus = invert_to_wplus(e4e_, fixture_npy("e4e/input.npy"));
  EXPECT_EQ(wplus.scalar_type(), torch::kFloat32);
  EXPECT_CLOSE_TO_REF(wplus, fixture_npy("e4e/wplus.npy"), 1e-4);
}

TEST_F(E4eFixture, BatchOfTwoGivesEachImageItsOwnCodes) {
  torch::NoGradGuard no_grad;
  const auto x = fixture_npy("e4e/input.npy");
  const auto batch = torch::cat({x.flip(3), x});  // a different image first
  const auto codes = e4e_.net->forward(batch);
  ASSERT_EQ(codes.size(0), 2);
  EXPECT_CLOSE_TO_REF(codes.slice(0, 1, 2), fixture_npy("e4e/codes.npy"), 1e-4);
  EXPECT_GT(testing::max_abs_diff(codes[0], codes[1]), 1e-3);
}

TEST_F(E4eFixture, RejectsAWronglySizedInput) {
  EXPECT_THROW(e4e_.net->forward(torch::zeros({1, 3, 128, 128})), std::invalid_argument);
  EXPECT_THROW(e4e_.net->forward(torch::zeros({1, 4, 256, 256})), std::invalid_argument);
}

TEST(E4eInput, Rgb8At256IsTheReferenceNormalisation) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto ref = fixture_npy("e4e/input.npy");  // (u8 / 255 - 0.5) / 0.5
  // Recover the uint8 image: at 256 Resize(256) is a no-op.
  const auto u8 = ((ref[0] * 0.5 + 0.5) * 255).round().to(torch::kUInt8).permute({1, 2, 0});
  const auto x = e4e_input_from_rgb8(u8.contiguous());
  ASSERT_EQ(x.sizes(), ref.sizes());
  EXPECT_EQ(testing::max_abs_diff(x, ref), 0.0);
}

TEST(E4eInput, ResizesTheShorterSideTo256) {
  const auto img = torch::randint(0, 256, {512, 768, 3}, torch::kUInt8);
  EXPECT_EQ(e4e_input_from_rgb8(img).sizes(), (std::vector<int64_t>{1, 3, 256, 384}));
  // Bilinear weights sum to one: a flat image stays flat.
  const auto flat = torch::full({1024, 1024, 3}, 77, torch::kUInt8);
  const auto y = e4e_input_from_rgb8(flat);
  EXPECT_EQ(y.sizes(), (std::vector<int64_t>{1, 3, 256, 256}));
  EXPECT_EQ((y - (77 / 255.0f - 0.5f) / 0.5f).abs().max().item<float>(), 0.0f);
  EXPECT_THROW(e4e_input_from_rgb8(torch::zeros({8, 8, 4}, torch::kUInt8)), std::invalid_argument);
  EXPECT_THROW(e4e_input_from_rgb8(torch::zeros({8, 8, 3})), std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::nets
