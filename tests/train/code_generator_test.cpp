// Making training codes: the sampled pipeline against the reference outputs of the fixture
// generator and CLIP, and the photo pipeline against the editor's own inversion.
#include <gtest/gtest.h>

#include <fstream>

#include "core/engine/edit_engine.h"
#include "core/engine/model_bundle.h"
#include "core/nets/clip/clip_resample.h"
#include "core/train/code_generator.h"
#include "core/train/seed_streams.h"
#include "tests/support/fixture_bundle.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"
#include "tests/train/train_fixture.h"

namespace {

using namespace deltaedit;
namespace dtest = deltaedit::testing;
using deltaedit::testing::fixture;
using deltaedit::testing::fixture_npy;

TEST(CodeGenerator, ClipEmbeddingUsesGeneratorSizedResampling) {
  DELTAEDIT_REQUIRE_FIXTURES();
  // clip/gen_input.npy: generator images through generate_codes.py's upsample x7 + avg pool
  // (kernel 64 / 32 = 2) and encode_image.
  const auto ours =
      train::clip_image_embedding(dtest::fixture_clip(), fixture_npy("clip/gen_input.npy"));
  EXPECT_CLOSE_TO_REF(ours, fixture_npy("clip/gen_image_features.npy"), 1e-4);
}

TEST(CodeGenerator, CodesFromZMatchTheReferenceTruncatedRender) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto& gen = dtest::fixture_generator();
  const auto codes =
      train::codes_from_z(gen, dtest::fixture_clip(), fixture_npy("stylegan2/z.npy"), 0.7);
  // W+ = the truncated w in every slot.
  const auto w_trunc = fixture_npy("stylegan2/w_trunc.npy");
  ASSERT_EQ(codes.wplus.sizes(), (std::vector<int64_t>{3, 10, 64}));
  for (int64_t l = 0; l < 10; ++l) EXPECT_CLOSE_TO_REF(codes.wplus.select(1, l), w_trunc, 1e-4);
  // S renders the reference image of G([z], truncation=0.7); the CLIP embedding is that image's.
  torch::NoGradGuard no_grad;
  const auto image = gen.net->synthesize_s(codes.s, codes.wplus);
  const auto ref_image = fixture_npy("stylegan2/image_z_trunc.npy");
  EXPECT_CLOSE_TO_REF(image, ref_image, 1e-3);
  const auto ref_clip = train::clip_image_embedding(dtest::fixture_clip(), ref_image);
  EXPECT_CLOSE_TO_REF(codes.clip, ref_clip, 1e-3);
  EXPECT_EQ(codes.s.sizes(), (std::vector<int64_t>{3, 544}));
  EXPECT_EQ(codes.clip.sizes(), (std::vector<int64_t>{3, 64}));
}

TEST(CodeGenerator, ShardZDependsOnlyOnSeedAndShard) {
  const auto a = train::shard_z(5, 2, 7, 64);
  EXPECT_TRUE(torch::equal(a, train::shard_z(5, 2, 7, 64)));
  EXPECT_FALSE(torch::equal(a, train::shard_z(5, 3, 7, 64)));
  EXPECT_FALSE(torch::equal(a, train::shard_z(6, 2, 7, 64)));
  // Standard normal.
  const auto big = train::shard_z(0, 0, 4000, 64);
  EXPECT_NEAR(big.mean().item<double>(), 0.0, 0.01);
  EXPECT_NEAR(big.std().item<double>(), 1.0, 0.01);
}

TEST(CodeGenerator, PhotoCodesEqualTheEditorsInversion) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = dtest::temp_dir("photo_codes");
  const auto bundle = dtest::make_fixture_model_bundle(dir / "models");
  std::filesystem::create_directories(dir / "photos");
  std::filesystem::copy_file(fixture("e4e/input.png"), dir / "photos" / "b.png");
  std::filesystem::copy_file(fixture("e4e/input_1024.png"), dir / "photos" / "a.png");
  std::ofstream(dir / "photos" / "c.jpg") << "not a jpeg";
  const auto photos = train::list_images(dir / "photos");
  ASSERT_EQ(photos.size(), 3u);
  EXPECT_EQ(photos[0].filename(), "a.png");

  const auto paths = engine::locate_models(bundle);
  const auto cpu = nets::choose_device("cpu");
  auto e4e = nets::load_e4e(paths.e4e, cpu);
  train::CodeSetInfo info;
  info.source = "images";
  info.s_widths = dtest::fixture_generator().net->s_widths();
  info.n_latent = 10;
  info.style_dim = 64;
  info.image_size = 256;
  info.embed_dim = 64;
  info.shard_size = 2;
  info.count = 3;
  info.aligned = true;
  info.image_list_sha256 = train::image_list_checksum(photos);
  const auto set = train::CodeSet::create_or_resume(dir / "codes", info);
  std::vector<std::string> skipped;
  train::generate_image_codes(set, photos,
                              {&dtest::fixture_generator(), &e4e, &dtest::fixture_clip(), nullptr},
                              {}, [&](const std::filesystem::path& p, const std::string&) {
                                skipped.push_back(p.filename().string());
                              });
  EXPECT_EQ(skipped, std::vector<std::string>{"c.jpg"});
  const auto codes = set.read_all();
  ASSERT_EQ(codes.rows(), 2);
  EXPECT_EQ(codes.names, (std::vector<std::string>{"a.png", "b.png"}));

  // The codes come from the float32 encoder (training data at full precision); the editor
  // gives the same codes when it keeps its weights in float32 too.
  auto float32_cpu = cpu;
  float32_cpu.half_stored_weights = false;
  engine::EditEngine engine(paths, float32_cpu);
  for (int64_t r = 0; r < 2; ++r) {
    const auto session = engine.open_photo(photos[static_cast<size_t>(r)], {/*aligned=*/true});
    EXPECT_CLOSE_TO_REF(codes.wplus.narrow(0, r, 1), session.wplus, 1e-5);
    EXPECT_CLOSE_TO_REF(codes.s.narrow(0, r, 1), session.base_s, 1e-5);
    // The engine keeps the unit embedding; the codes keep the raw one.
    const auto c = codes.clip.narrow(0, r, 1);
    EXPECT_CLOSE_TO_REF(c / c.norm(), session.image_embedding, 1e-5);
  }
}

}  // namespace
