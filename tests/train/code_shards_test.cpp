// Code sets on disk: round trip, resumption after an interruption, and clear errors for damaged
// or foreign folders.
#include <gtest/gtest.h>

#include <fstream>

#include "core/io/npy.h"
#include "core/train/code_generator.h"
#include "core/train/code_shards.h"
#include "core/train/train_errors.h"
#include "tests/support/fixtures.h"
#include "tests/train/train_fixture.h"

namespace {

using namespace deltaedit;
namespace dtest = deltaedit::testing;
namespace fs = std::filesystem;

train::CodeSetInfo small_info() {
  train::CodeSetInfo info;
  info.generator = "g.pt";
  info.clip = "c.pt";
  info.s_widths = {3, 2};
  info.n_latent = 2;
  info.style_dim = 4;
  info.image_size = 64;
  info.embed_dim = 3;
  info.clip_kernel = 2;
  info.shard_size = 4;
  info.count = 6;
  info.seed = 12345678901234ull;
  info.truncation = 0.7;
  return info;
}

train::CodeShard random_shard(int64_t n) {
  train::CodeShard sh;
  sh.s = torch::randn({n, 5});
  sh.clip = torch::randn({n, 3});
  sh.wplus = torch::randn({n, 2, 4});
  return sh;
}

// Expects `f` to throw E whose message names `file`.
template <typename E, typename F>
void expect_error_naming(F&& f, const fs::path& file) {
  try {
    f();
    ADD_FAILURE() << "no error for " << file;
  } catch (const E& e) {
    EXPECT_NE(std::string(e.what()).find(file.filename().string()), std::string::npos) << e.what();
  }
}

TEST(CodeShards, RoundTripAndMeta) {
  const auto dir = dtest::temp_dir("codes");
  const auto set = train::CodeSet::create_or_resume(dir / "set", small_info());
  EXPECT_EQ(set.info().num_shards(), 2);
  EXPECT_EQ(set.complete_shards(), 0);
  const auto a = random_shard(4), b = random_shard(2);
  set.write_shard(0, a);
  EXPECT_EQ(set.complete_shards(), 1);
  EXPECT_THROW(set.read_all(), train::DataFileError);  // incomplete
  set.write_shard(1, b);
  const auto again = train::CodeSet::open(dir / "set");
  EXPECT_EQ(again.info().differences(small_info()), "");
  EXPECT_EQ(again.info().seed, 12345678901234ull);
  const auto all = again.read_all();
  EXPECT_TRUE(torch::equal(all.s, torch::cat({a.s, b.s})));
  EXPECT_TRUE(torch::equal(all.clip, torch::cat({a.clip, b.clip})));
  EXPECT_TRUE(torch::equal(all.wplus, torch::cat({a.wplus, b.wplus})));
  // The arrays are plain .npy files.
  EXPECT_TRUE(torch::equal(io::load_npy(dir / "set" / "shard_00001.s.npy"), b.s));
}

TEST(CodeShards, ForeignFoldersAndOtherSettingsAreRefused) {
  const auto dir = dtest::temp_dir("codes");
  train::CodeSet::create_or_resume(dir / "set", small_info());
  auto other = small_info();
  other.seed = 1;
  expect_error_naming<train::OutputConflict>(
      [&] { train::CodeSet::create_or_resume(dir / "set", other); }, dir / "set" / "meta.json");
  auto paired = small_info();
  paired.pairing = "some-rule";
  EXPECT_EQ(paired.differences(small_info()), "pairing");
  expect_error_naming<train::OutputConflict>(
      [&] { train::CodeSet::create_or_resume(dir / "set", paired); }, dir / "set" / "meta.json");
  fs::create_directories(dir / "busy");
  std::ofstream(dir / "busy" / "notes.txt") << "mine";
  expect_error_naming<train::OutputConflict>(
      [&] { train::CodeSet::create_or_resume(dir / "busy", small_info()); }, dir / "busy");
  expect_error_naming<train::DataFileError>([&] { train::CodeSet::open(dir / "busy"); },
                                            dir / "busy" / "meta.json");
  std::ofstream(dir / "busy" / "meta.json") << "{\"format\": \"deltaedit-codes\", \"version\": 1";
  expect_error_naming<train::DataFileError>([&] { train::CodeSet::open(dir / "busy"); },
                                            dir / "busy" / "meta.json");
  // Pairs of an odd count cannot be pairs.
  auto odd = small_info();
  odd.pairing = "some-rule";
  odd.count = 7;
  const auto text = odd.to_json();
  EXPECT_NE(text.find("\"pairing\": \"some-rule\""), std::string::npos) << text;
  expect_error_naming<train::DataFileError>([&] { train::CodeSetInfo::from_json(text, dir / "odd.json"); },
                                            dir / "odd.json");
  // Sets written before pairings existed have no "pairing" key: independent codes.
  std::string old = small_info().to_json();
  old.erase(old.find("\"pairing\""), std::string("\"pairing\": \"\",").size());
  EXPECT_EQ(train::CodeSetInfo::from_json(old, dir / "old.json").differences(small_info()), "");
}

TEST(CodeShards, DamagedShardsAreNamed) {
  const auto dir = dtest::temp_dir("codes");
  const auto set = train::CodeSet::create_or_resume(dir / "set", small_info());
  set.write_shard(0, random_shard(4));
  set.write_shard(1, random_shard(2));
  // Truncated S file.
  const fs::path s1 = set.shard_file(1, "s");
  fs::resize_file(s1, fs::file_size(s1) - 7);
  expect_error_naming<train::DataFileError>([&] { set.read_all(); }, s1);
  // CLIP embeddings with the wrong width.
  set.write_shard(1, random_shard(2));
  io::save_npy(set.shard_file(1, "clip"), torch::zeros({2, 4}));
  expect_error_naming<train::DataFileError>([&] { set.read_shard(1); }, set.shard_file(1, "clip"));
  // Missing W+, non-finite values, wrong dtype.
  set.write_shard(1, random_shard(2));
  fs::remove(set.shard_file(1, "wplus"));
  expect_error_naming<train::DataFileError>([&] { set.read_shard(1); }, set.shard_file(1, "wplus"));
  auto nan = random_shard(2);
  nan.s[1][3] = std::nan("");
  set.write_shard(1, nan);
  expect_error_naming<train::DataFileError>([&] { set.read_shard(1); }, s1);
  io::save_npy(s1, torch::zeros({2, 5}, torch::kFloat64));
  expect_error_naming<train::DataFileError>([&] { set.read_shard(1); }, s1);
}

TEST(CodeShards, InterruptedGenerationResumesToTheSameCodes) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto& gen = dtest::fixture_generator();
  auto info = dtest::fixture_code_info(3, 8, 4);
  info.truncation = 0.8;
  const auto dir = dtest::temp_dir("codes");
  const auto whole = train::CodeSet::create_or_resume(dir / "whole", info);
  train::generate_sampled_codes(whole, gen, dtest::fixture_clip(), 2);

  // Interrupted in the middle of the second shard (as by Ctrl-C), then resumed.
  auto part = train::CodeSet::create_or_resume(dir / "part", info);
  struct Stop {};
  EXPECT_THROW(train::generate_sampled_codes(part, gen, dtest::fixture_clip(), 2,
                                             [](int64_t done, int64_t) {
                                               if (done >= 5) throw Stop{};
                                             }),
               Stop);
  EXPECT_EQ(part.complete_shards(), 1);
  part = train::CodeSet::create_or_resume(dir / "part", info);
  std::vector<int64_t> seen;
  train::generate_sampled_codes(part, gen, dtest::fixture_clip(), 2,
                                [&](int64_t done, int64_t total) {
                                  EXPECT_EQ(total, 8);
                                  seen.push_back(done);
                                });
  EXPECT_EQ(seen, (std::vector<int64_t>{5, 6, 8}));  // only the missing shards were made
  EXPECT_TRUE(part.is_complete());
  const auto a = whole.read_all(), b = part.read_all();
  ASSERT_EQ(a.rows(), 8);
  EXPECT_TRUE(torch::equal(a.s, b.s));
  EXPECT_TRUE(torch::equal(a.wplus, b.wplus));
  EXPECT_TRUE(torch::equal(a.clip, b.clip));
}

TEST(CodeShards, PairedSetsTakeHalfTheLatentsAndTheRuleMakesTheTwins) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto& gen = dtest::fixture_generator();
  auto info = dtest::fixture_code_info(4, 6, 9);
  info.pairing = "negate-first";
  const auto dir = dtest::temp_dir("codes");
  const auto set = train::CodeSet::create_or_resume(dir / "pairs", info);
  std::vector<int64_t> first_pairs;
  const train::LatentPairing negate_first = [&](const torch::Tensor& z, int64_t first_pair) {
    first_pairs.push_back(first_pair);
    auto twin = z.clone();
    twin.select(1, 0).neg_();
    return torch::stack({z, twin}, 1).flatten(0, 1);  // [B, D] x 2 -> [2B, D], interleaved
  };
  EXPECT_THROW(train::generate_sampled_codes(set, gen, dtest::fixture_clip(), 3), c10::Error);
  train::generate_sampled_codes(set, gen, dtest::fixture_clip(), 3, {}, negate_first);
  EXPECT_EQ(first_pairs, (std::vector<int64_t>{0, 2}));
  const auto all = set.read_all();
  ASSERT_EQ(all.rows(), 6);
  // Shard k's base latents are the first half of what an unpaired set of the seed would use.
  std::vector<torch::Tensor> z;
  for (int64_t k = 0; k < 2; ++k)
    z.push_back(negate_first(train::shard_z(info.seed, k, k == 0 ? 2 : 1, info.style_dim), 0));
  const auto expected = train::codes_from_z(gen, dtest::fixture_clip(), torch::cat(z), 1.0);
  // (batches of 3 and of 6 round differently: a few 1e-6)
  EXPECT_TRUE(torch::allclose(all.s, expected.s, 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(all.clip, expected.clip, 1e-5, 1e-5));
  EXPECT_FALSE(torch::allclose(all.s[0], all.s[1]));  // the twin is another code
  // Without the pairing, the same seed gives other codes in the same folder's place.
  auto plain = info;
  plain.pairing.clear();
  EXPECT_THROW(train::generate_sampled_codes(train::CodeSet::create_or_resume(dir / "plain", plain), gen,
                                             dtest::fixture_clip(), 3, {}, negate_first),
               c10::Error);
}

}  // namespace
