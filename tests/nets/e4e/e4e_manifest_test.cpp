// The full-size Encoder4Editing(50, 1024, 'ir_se') built from the names/shapes of the official
// checkpoint (fixtures/manifests/e4e_ffhq_encode.json) has exactly those parameters and buffers.
#include <map>
#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "core/nets/common/weights.h"
#include "core/nets/e4e/encoder4editing.h"
#include "tests/support/fixtures.h"

namespace deltaedit::nets {
namespace {

struct ManifestEntry {
  std::vector<int64_t> shape;
  std::string dtype;
};

// name -> shape/dtype of every "encoder." tensor, prefix removed.
std::map<std::string, ManifestEntry> encoder_manifest() {
  const auto json = testing::read_text(testing::fixture("manifests/e4e_ffhq_encode.json"));
  const std::regex entry(
      "\"name\"\\s*:\\s*\"encoder\\.([^\"]+)\"\\s*,\\s*\"shape\"\\s*:\\s*\\[([^\\]]*)\\]\\s*,\\s*"
      "\"dtype\"\\s*:\\s*\"([a-z0-9]+)\"");
  const std::regex num("[0-9]+");
  std::map<std::string, ManifestEntry> out;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), entry);
       it != std::sregex_iterator(); ++it) {
    ManifestEntry e;
    const std::string dims = (*it)[2].str();
    for (auto d = std::sregex_iterator(dims.begin(), dims.end(), num); d != std::sregex_iterator();
         ++d)
      e.shape.push_back(std::stoll(d->str()));
    e.dtype = (*it)[3].str();
    out.emplace((*it)[1].str(), e);
  }
  return out;
}

int64_t manifest_int(const std::string& key) {
  const auto json = testing::read_text(testing::fixture("manifests/e4e_ffhq_encode.json"));
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\"\\s*:\\s*([0-9]+)"))) return -1;
  return std::stoll(m[1].str());
}

TEST(E4eManifest, FullSizeNetworkHasExactlyTheOfficialNamesAndShapes) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto manifest = encoder_manifest();
  ASSERT_EQ(static_cast<int64_t>(manifest.size()), manifest_int("num_tensors"));

  io::StateDict weights("e4e_ffhq_encode.pt");
  for (const auto& [name, e] : manifest)
    weights.add(name, torch::empty(e.shape, e.dtype == "int64" ? torch::kInt64 : torch::kFloat32));
  Encoder4Editing net(Encoder4EditingImpl::infer_config(weights));

  std::map<std::string, std::vector<int64_t>> ours;
  for (const auto& p : net->named_parameters()) ours.emplace(p.key(), p.value().sizes().vec());
  for (const auto& b : net->named_buffers()) ours.emplace(b.key(), b.value().sizes().vec());
  std::map<std::string, std::vector<int64_t>> theirs;
  for (const auto& [name, e] : manifest) theirs.emplace(name, e.shape);
  EXPECT_EQ(ours, theirs);
  EXPECT_NO_THROW(load_weights(*net, weights));

  // IR-SE-50: stages of 3/4/14/3 units at 64/128/256/512; 18 styles of 512 (the latent_avg width).
  const E4eConfig& cfg = net->config();
  EXPECT_EQ(cfg.stage_last_unit, (std::vector<int64_t>{2, 6, 20, 23}));
  EXPECT_EQ(cfg.stem_width, manifest.at("input_layer.0.weight").shape[0]);
  EXPECT_EQ(net->style_count(), manifest_int("style_count"));
  EXPECT_EQ(net->style_dim(), manifest.at("styles.0.linear.weight").shape[0]);
  EXPECT_EQ(cfg.coarse_ind, 3);
  EXPECT_EQ(cfg.middle_ind, 7);
}

}  // namespace
}  // namespace deltaedit::nets
