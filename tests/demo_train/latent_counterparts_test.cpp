// Counterpart pairs in the demo generator's latent space: each twin changes exactly one named
// attribute family at the caption level and keeps every other draw.
#include <gtest/gtest.h>

#include "core/demo_train/latent_counterparts.h"
#include "core/demo_train/latent_portraits.h"

namespace {

using namespace deltaedit;
using demo_train::AttributeFamily;

TEST(LatentCounterparts, EachTwinMovesOneFamilyAndKeepsEveryOtherDraw) {
  torch::manual_seed(3);
  const int64_t B = 70, D = 128;
  const auto z = torch::randn({B, D});
  const auto pairs = demo_train::latent_counterpart_pairs(z, 5, 11);  // [2B, D]
  ASSERT_EQ(pairs.sizes(), (std::vector<int64_t>{2 * B, D}));
  const auto originals = pairs.slice(0, 0, 2 * B, 2), twins = pairs.slice(0, 1, 2 * B, 2);
  EXPECT_TRUE(torch::equal(originals, z));
  // The norm, and with it the other normalised entries, is unchanged.
  EXPECT_TRUE(torch::allclose(twins.square().sum(1), z.square().sum(1), 1e-4, 1e-3));
  const auto u = demo_train::latent_attribute_draws(z), v = demo_train::latent_attribute_draws(twins);
  std::vector<int> changed(demo_train::kAttributeFamilies, 0);
  for (int64_t i = 0; i < B; ++i) {
    const auto family = static_cast<AttributeFamily>((5 + i) % demo_train::kAttributeFamilies);
    const int e = demo_train::latent_entry(family);
    for (int k = 0; k < demo_train::kLatentAttributeDraws; ++k)
      if (k != e) {
        EXPECT_NEAR(u[i][k].item<float>(), v[i][k].item<float>(), 1e-5) << "pair " << i << " draw " << k;
      }
    const auto a = demo_train::attributes_from_latent(z[i].contiguous().data_ptr<float>(), D);
    const auto b = demo_train::attributes_from_latent(twins[i].contiguous().data_ptr<float>(), D);
    for (int f = 0; f < demo_train::kAttributeFamilies; ++f) {
      const auto other = static_cast<AttributeFamily>(f);
      const bool differs = demo_train::family_phrase(a, other) != demo_train::family_phrase(b, other);
      EXPECT_EQ(differs, other == family) << "pair " << i << " family " << f;
    }
    ++changed[static_cast<size_t>(family)];
  }
  for (int f = 0; f < demo_train::kAttributeFamilies; ++f) EXPECT_EQ(changed[static_cast<size_t>(f)], 10);
  // Glasses are toggled both ways over the pairs.
  int put_on = 0, taken_off = 0;
  for (int64_t i = 0; i < B; ++i) {
    if ((5 + i) % demo_train::kAttributeFamilies != static_cast<int>(AttributeFamily::kGlasses)) continue;
    const bool before = demo_train::attributes_from_latent(z[i].contiguous().data_ptr<float>(), D).eyeglasses;
    (before ? taken_off : put_on) += 1;
  }
  EXPECT_GT(put_on, 0);
  EXPECT_GT(taken_off, 0);
}

TEST(LatentCounterparts, PairsAreReproducibleAndIndexedByTheirPosition) {
  torch::manual_seed(4);
  const auto z = torch::randn({9, 32});
  const auto all = demo_train::latent_counterpart_pairs(z, 0, 2);
  EXPECT_TRUE(torch::equal(all, demo_train::latent_counterpart_pairs(z, 0, 2)));
  // Rows 3.. of a batch are the pairs 3.. of the whole: families and draws follow the index.
  EXPECT_TRUE(torch::equal(demo_train::latent_counterpart_pairs(z.narrow(0, 3, 6), 3, 2), all.narrow(0, 6, 12)));
  EXPECT_FALSE(torch::equal(demo_train::latent_counterpart_pairs(z, 0, 3), all));  // another seed
  EXPECT_THROW(demo_train::latent_counterpart_pairs(torch::randn({2, 9}), 0, 2), std::invalid_argument);
  // A short latent (4 entries past the draws) still pairs, keeping its norm and the other draws.
  const auto shortz = torch::randn({70, 12});
  const auto short_pairs = demo_train::latent_counterpart_pairs(shortz, 0, 2);
  const auto twins = short_pairs.slice(0, 1, 140, 2);
  EXPECT_TRUE(torch::allclose(twins.square().sum(1), shortz.square().sum(1), 1e-4, 1e-3));
  for (int64_t i = 0; i < 70; ++i) {
    const auto family = static_cast<AttributeFamily>(i % demo_train::kAttributeFamilies);
    const auto a = demo_train::attributes_from_latent(shortz[i].contiguous().data_ptr<float>(), 12);
    const auto b = demo_train::attributes_from_latent(twins[i].contiguous().data_ptr<float>(), 12);
    EXPECT_NE(demo_train::family_phrase(a, family), demo_train::family_phrase(b, family)) << i;
  }
  EXPECT_THROW(demo_train::latent_counterpart_pairs(torch::randn({4}), 0, 2), std::invalid_argument);
}

}  // namespace
