// CLIP with its attention and MLP weights stored in float16 (what the engine keeps on CPU): the
// released files hold exactly these in float16, so the features do not change at all.
#include <gtest/gtest.h>

#include "core/nets/clip/clip_model.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::testing {
namespace {

TEST(ClipHalfStorage, ReleasedFloat16WeightsGiveIdenticalFeatures) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto clip = nets::load_clip(fixture("clip/clip_jit.pt"), nets::choose_device("cpu")).net;
  torch::NoGradGuard no_grad;
  const auto image = fixture_npy("clip/resized_224.npy");
  const auto ids = fixture_npy("clip/text_tokens.npy");
  const auto image_before = clip->encode_image(image);
  const auto text_before = clip->encode_text(ids);

  int64_t selected = 0;
  for (const auto& p : clip->named_parameters())
    for (const char* end : {"attn.in_proj_weight", "attn.out_proj.weight", "mlp.c_fc.weight",
                            "mlp.c_proj.weight"})
      if (p.key().ends_with(end)) selected += p.value().numel();
  EXPECT_EQ(clip->store_weights_in_half(), 2 * selected);
  EXPECT_EQ(clip->transformer->named_parameters()["resblocks.0.mlp.c_fc.weight"].scalar_type(),
            torch::kFloat16);
  EXPECT_EQ(clip->token_embedding->weight.scalar_type(), torch::kFloat32);  // float32 in the file

  const auto image_after = clip->encode_image(image);
  const auto text_after = clip->encode_text(ids);
  EXPECT_EQ(image_after.scalar_type(), torch::kFloat32);
  EXPECT_EQ(max_abs_diff(image_after, image_before), 0.0);
  EXPECT_EQ(max_abs_diff(text_after, text_before), 0.0);
  EXPECT_CLOSE_TO_REF(image_after, fixture_npy("clip/image_features.npy"), 1e-4);
}

}  // namespace
}  // namespace deltaedit::testing
