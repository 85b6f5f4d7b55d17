// Architecture inference, names/shapes (fixture archive and the full-size ViT-B/32 manifest),
// and the errors for files that are not CLIP checkpoints.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "core/io/checkpoint_writer.h"
#include "core/io/model_file_error.h"
#include "core/io/torchscript_reader.h"
#include "core/nets/common/weights.h"
#include "tests/nets/clip/clip_test_util.h"
#include "tests/support/fixtures.h"

namespace deltaedit::testing {
namespace {

std::map<std::string, std::vector<int64_t>> model_shapes(nets::ClipModelImpl& net) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& p : net.named_parameters()) out[p.key()] = p.value().sizes().vec();
  for (const auto& b : net.named_buffers()) out[b.key()] = b.value().sizes().vec();
  return out;
}

TEST(ClipLoadingTest, FixtureConfigMatchesConfigJson) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto json = read_text(fixture("clip/config.json"));
  const auto& c = fixture_clip()->config();
  EXPECT_EQ(c.embed_dim, json_int(json, "embed_dim"));
  EXPECT_EQ(c.image_resolution, json_int(json, "image_resolution"));
  EXPECT_EQ(c.vision_layers, json_int(json, "vision_layers"));
  EXPECT_EQ(c.vision_width, json_int(json, "vision_width"));
  EXPECT_EQ(c.vision_patch_size, json_int(json, "vision_patch_size"));
  EXPECT_EQ(c.vision_heads, json_int(json, "vision_heads"));
  EXPECT_EQ(c.context_length, json_int(json, "context_length"));
  EXPECT_EQ(c.vocab_size, json_int(json, "vocab_size"));
  EXPECT_EQ(c.transformer_width, json_int(json, "transformer_width"));
  EXPECT_EQ(c.transformer_heads, json_int(json, "transformer_heads"));
  EXPECT_EQ(c.transformer_layers, json_int(json, "transformer_layers"));
}

// Every archive tensor reached the right parameter: same shape, same float64 sum of the stored
// (fp16 or fp32) values, which the float32 conversion keeps exactly.
TEST(ClipLoadingTest, EveryArchiveTensorIsLoaded) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto entries = json_named_shapes(read_text(fixture("clip/jit_state_dict.json")));
  auto shapes = model_shapes(*fixture_clip());
  std::map<std::string, torch::Tensor> params;
  for (const auto& p : fixture_clip()->named_parameters()) params[p.key()] = p.value();
  size_t matched = 0;
  for (const auto& e : entries) {
    const auto& extra = nets::clip_archive_extra_keys();
    if (std::find(extra.begin(), extra.end(), e.name) != extra.end()) continue;
    ASSERT_TRUE(params.count(e.name)) << e.name;
    EXPECT_EQ(params[e.name].sizes().vec(), e.shape) << e.name;
    const double sum = params[e.name].to(torch::kFloat64).sum().item<double>();
    EXPECT_NEAR(sum, e.sum, 1e-6 * std::max(1.0, std::abs(e.sum))) << e.name;
    ++matched;
  }
  EXPECT_EQ(matched, params.size());
  EXPECT_EQ(shapes.size(), params.size());  // no buffers: the causal mask is built on the fly
}

// The full-size ViT-B/32: names and shapes of the manifest, heads 12 (vision) and 8 (text).
TEST(ClipLoadingTest, ViTB32ManifestNamesShapesAndHeads) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto json = read_text(fixture("manifests/clip_vit_b32.json"));
  const auto extra_at = json.find("\"extra_keys\"");
  ASSERT_NE(extra_at, std::string::npos);
  const auto tensors = json_named_shapes(json.substr(0, extra_at));
  const auto extras = json_named_shapes(json.substr(extra_at));
  ASSERT_EQ(static_cast<int64_t>(tensors.size()), json_int(json, "num_tensors"));

  io::StateDict weights("ViT-B-32 manifest");
  for (const auto& t : tensors) weights.add(t.name, torch::empty(t.shape));
  for (const auto& t : extras) weights.add(t.name, torch::zeros(t.shape, torch::kInt64));
  const auto cfg = nets::ClipModelImpl::infer_config(weights);
  EXPECT_EQ(cfg.vision_heads, json_int(json, "vision_heads"));
  EXPECT_EQ(cfg.vision_heads, 12);  // 768 / 64
  EXPECT_EQ(cfg.transformer_heads, 8);  // 512 / 64
  EXPECT_EQ(cfg.vision_layers, 12);
  EXPECT_EQ(cfg.transformer_layers, 12);
  EXPECT_EQ(cfg.image_resolution, 224);
  EXPECT_EQ(cfg.vision_patch_size, 32);
  EXPECT_EQ(cfg.embed_dim, 512);

  nets::ClipModel net(cfg);
  auto ours = model_shapes(*net);
  std::map<std::string, std::vector<int64_t>> manifest;
  for (const auto& t : tensors) manifest[t.name] = t.shape;
  EXPECT_EQ(ours, manifest);
  EXPECT_NO_THROW(nets::load_weights(*net, weights, nets::clip_archive_extra_keys()));
}

TEST(ClipLoadingTest, GeneratorCheckpointIsRejectedNamingFileAndKey) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto file = fixture("stylegan2/generator.pt");
  try {
    nets::load_clip(file, {});
    FAIL() << "a StyleGAN2 checkpoint loaded as CLIP";
  } catch (const io::ModelFileError& e) {
    EXPECT_EQ(e.file(), file);
    EXPECT_NE(std::string(e.what()).find("generator.pt"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("visual.conv1.weight"), std::string::npos) << e.what();
  }
}

TEST(ClipLoadingTest, WrongShapeIsRejectedWithExpectedAndFound) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto file = fixture("clip/clip_jit.pt");
  io::StateDict weights = io::load_torchscript_state_dict(file);
  const std::string key = "transformer.resblocks.1.mlp.c_fc.weight";
  const auto shape = weights.at(key).sizes().vec();
  weights.add(key, torch::zeros({shape[0], shape[1] + 1}, torch::kFloat16));
  try {
    nets::build_clip(weights, {});
    FAIL() << "a mis-shaped tensor was accepted";
  } catch (const io::ModelFileError& e) {
    const std::string msg = e.what();
    EXPECT_EQ(e.file(), file);
    EXPECT_NE(msg.find(key), std::string::npos) << msg;
    EXPECT_NE(msg.find("[512, 128]"), std::string::npos) << msg;  // expected: 4 * width, width
    EXPECT_NE(msg.find("[512, 129]"), std::string::npos) << msg;
  }
}

// A plain state dict (torch.save of model.state_dict(): no archive extras, not TorchScript)
// loads into the same network.
TEST(ClipLoadingTest, PlainStateDictGivesTheSameNetwork) {
  DELTAEDIT_REQUIRE_FIXTURES();
  torch::NoGradGuard no_grad;
  const auto archive = io::load_torchscript_state_dict(fixture("clip/clip_jit.pt"));
  io::StateDict plain("plain state dict");
  const auto& extra = nets::clip_archive_extra_keys();
  for (const auto& [name, t] : archive.entries())
    if (std::find(extra.begin(), extra.end(), name) == extra.end()) plain.add(name, t);
  const auto file = temp_dir("clip_plain") / "clip_state_dict.pt";
  io::save_state_dict(file, plain);
  auto loaded = nets::load_clip(file, {});
  EXPECT_EQ(loaded.file, file);
  auto ids = fixture_npy("clip/text_tokens.npy");
  EXPECT_TRUE(torch::equal(loaded.net->encode_text(ids), fixture_clip()->encode_text(ids)));
  auto image = fixture_npy("clip/resized_224.npy");
  EXPECT_TRUE(torch::equal(loaded.net->encode_image(image), fixture_clip()->encode_image(image)));
}

}  // namespace
}  // namespace deltaedit::testing
