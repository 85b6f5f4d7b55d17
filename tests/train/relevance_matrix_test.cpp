// The relevance matrix against a straightforward per-channel, per-image computation written
// here from StyleCLIP's description, its statistics, and resumption of the chunked job.
#include <gtest/gtest.h>

#include "core/nets/clip/clip_resample.h"
#include "core/train/relevance_matrix.h"
#include "core/train/seed_streams.h"
#include "core/train/train_errors.h"
#include "core/train/train_files.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"
#include "tests/train/train_fixture.h"

namespace {

using namespace deltaedit;
namespace dtest = deltaedit::testing;
namespace fs = std::filesystem;

const train::RelevanceInputs& inputs() {
  static const auto in = train::sample_relevance_inputs(dtest::fixture_generator(), 64, 3,
                                                        /*seed=*/2, /*truncation=*/0.7, 16);
  return in;
}

// One fs3 row the plain way: one image, one render, one CLIP call at a time.
torch::Tensor straightforward_row(int64_t channel, double k) {
  auto& g = dtest::fixture_generator();
  auto& clip = dtest::fixture_clip();
  const auto& in = inputs();
  torch::NoGradGuard no_grad;
  const int64_t side = g.net->size();
  auto embed = [&](const torch::Tensor& s, const torch::Tensor& wplus) {
    const auto image = g.net->synthesize_s(s.unsqueeze(0), wplus.unsqueeze(0));
    // nearest x7 then average pooling with kernel side / 32, no CLIP normalisation
    const auto up = torch::upsample_nearest2d(image, {7 * side, 7 * side});
    const auto x = torch::avg_pool2d(up, {side / 32, side / 32});
    const auto f = clip->encode_image(x).to(torch::kFloat64)[0];
    return f / f.norm();
  };
  torch::Tensor sum = torch::zeros({clip->embed_dim()}, torch::kFloat64);
  const double mean = in.stats.mean[channel].item<double>();
  const double sd = in.stats.std[channel].item<double>();
  for (int64_t n = 0; n < in.s.size(0); ++n) {
    auto minus = in.s[n].clone(), plus = in.s[n].clone();
    minus[channel] = mean - k * sd;
    plus[channel] = mean + k * sd;
    const auto d = embed(plus, in.wplus[n]) - embed(minus, in.wplus[n]);
    sum += d / d.norm();
  }
  const auto avg = sum / static_cast<double>(in.s.size(0));
  return avg / avg.norm();
}

TEST(Relevance, StatisticsAreMeanAndPopulationStd) {
  auto gen = train::stream_generator(0, train::Stream::kRelevance, 9);
  const auto s = torch::randn({50, 7}, gen, torch::kFloat32) * 3 + 1;
  const auto st = train::style_statistics(s);
  EXPECT_EQ(st.count, 50);
  EXPECT_TRUE(torch::allclose(st.mean, s.mean(0), 1e-5, 1e-5));
  EXPECT_TRUE(torch::allclose(st.std, s.std(0, /*unbiased=*/false), 1e-5, 1e-5));
}

TEST(Relevance, SampledInputsAreTruncatedCodesOfTheRelevanceStream) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto& g = dtest::fixture_generator();
  torch::NoGradGuard no_grad;
  auto rng = train::stream_generator(2, train::Stream::kRelevance, 0);
  const auto z = torch::randn({16, 64}, rng, torch::kFloat32);  // first batch of 16
  const auto w = nets::truncate(g.net->mapping(z), g.latent_avg, 0.7);
  const auto s = g.net->w_to_s(g.net->broadcast_w(w));
  EXPECT_TRUE(torch::allclose(inputs().s, s.narrow(0, 0, 3), 1e-6, 1e-6));
  EXPECT_EQ(inputs().stats.count, 64);
  EXPECT_EQ(inputs().wplus.sizes(), (std::vector<int64_t>{3, 10, 64}));
}

TEST(Relevance, RowsMatchAStraightforwardComputation) {
  DELTAEDIT_REQUIRE_FIXTURES();
  for (int64_t c : {0, 300, 543}) {
    const auto ours = train::relevance_rows(dtest::fixture_generator(), dtest::fixture_clip(),
                                            inputs(), c, c + 1, {5.0, 4});
    const auto ref = straightforward_row(c, 5.0);
    EXPECT_CLOSE_TO_REF(ours[0], ref.to(torch::kFloat32), 1e-4) << "channel " << c;
    EXPECT_NEAR(ours[0].norm().item<double>(), 1.0, 1e-5);
  }
  // Another k changes the row; batching across channels does not.
  const auto k2 = train::relevance_rows(dtest::fixture_generator(), dtest::fixture_clip(), inputs(),
                                        300, 301, {2.0, 4});
  EXPECT_CLOSE_TO_REF(k2[0], straightforward_row(300, 2.0).to(torch::kFloat32), 1e-4);
  const auto block = train::relevance_rows(dtest::fixture_generator(), dtest::fixture_clip(),
                                           inputs(), 298, 302, {5.0, 5});
  const auto single = train::relevance_rows(dtest::fixture_generator(), dtest::fixture_clip(),
                                            inputs(), 300, 301, {5.0, 1});
  // Only float rounding differs (batched GEMMs), amplified by normalizing a small difference of
  // two unit embeddings: the single-network tolerance.
  EXPECT_CLOSE_TO_REF(block[2], single[0], 1e-4);
}

TEST(Relevance, ChunkedJobResumesAndKeepsFinishedChunks) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto dir = dtest::temp_dir("relevance");
  // One image keeps the whole 544-channel job short.
  train::RelevanceInputs one{inputs().stats, inputs().s.narrow(0, 0, 1),
                             inputs().wplus.narrow(0, 0, 1)};
  train::RelevanceJob job{dir / "fs3.npy", dir / "fs3.npy.parts", 256, "test settings\n"};
  struct Stop {};
  // Interrupted just after the first chunk was saved.
  EXPECT_THROW(train::compute_relevance_matrix(job, dtest::fixture_generator(),
                                               dtest::fixture_clip(), one, {5.0, 16},
                                               [](int64_t done, int64_t) {
                                                 if (done > 256) throw Stop{};
                                               }),
               Stop);
  EXPECT_EQ(train::completed_channels(job, 544), 256);
  const auto first_chunk = train::load_float_array(job.parts_dir / "channels_000000_000256.npy", 2);
  // Other settings may not reuse the parts.
  auto other = job;
  other.settings = "other\n";
  EXPECT_THROW(train::compute_relevance_matrix(other, dtest::fixture_generator(),
                                               dtest::fixture_clip(), one),
               train::OutputConflict);
  std::vector<int64_t> seen;
  train::compute_relevance_matrix(job, dtest::fixture_generator(), dtest::fixture_clip(), one,
                                  {5.0, 16}, [&](int64_t done, int64_t) { seen.push_back(done); });
  EXPECT_EQ(seen.front(), 256 + 16);  // the first chunk was not recomputed
  EXPECT_FALSE(fs::exists(job.parts_dir));
  const auto fs3 = train::load_float_array(job.output, 2);
  ASSERT_EQ(fs3.sizes(), (std::vector<int64_t>{544, 64}));
  EXPECT_TRUE(torch::equal(fs3.narrow(0, 0, 256), first_chunk));
  for (int64_t c : {300, 543}) {
    const auto row = train::relevance_rows(dtest::fixture_generator(), dtest::fixture_clip(), one,
                                           c, c + 1, {5.0, 16});
    EXPECT_CLOSE_TO_REF(fs3[c], row[0], 1e-4) << "channel " << c;
  }
  // Rows are unit vectors (or zero for a channel without any effect).
  const auto norms = fs3.norm(2, 1);
  EXPECT_TRUE(((norms - 1).abs() < 1e-5).logical_or(norms == 0).all().item<bool>());
}

}  // namespace
