#include "core/train/relevance_matrix.h"

#include <cstdio>

#include "core/train/code_generator.h"
#include "core/train/seed_streams.h"
#include "core/train/train_errors.h"
#include "core/train/train_files.h"

namespace deltaedit::train {

namespace fs = std::filesystem;

namespace {

// Streaming per-channel sums (float64) for mean and population std.
class StatisticsSum {
 public:
  void add(const torch::Tensor& s) {  // [B, S]
    const auto d = s.to(torch::kCPU, torch::kFloat64);
    if (!sum_.defined()) {
      sum_ = torch::zeros({d.size(1)}, torch::kFloat64);
      sum_sq_ = torch::zeros({d.size(1)}, torch::kFloat64);
    }
    sum_ += d.sum(0);
    sum_sq_ += d.pow(2).sum(0);
    count_ += d.size(0);
  }
  StyleStatistics finish() const {
    TORCH_CHECK(count_ > 0, "statistics of no codes");
    StyleStatistics st;
    const auto mean = sum_ / static_cast<double>(count_);
    const auto var = (sum_sq_ / static_cast<double>(count_) - mean.pow(2)).clamp_min(0);
    st.mean = mean.to(torch::kFloat32);
    st.std = var.sqrt().to(torch::kFloat32);
    st.count = count_;
    return st;
  }

 private:
  torch::Tensor sum_, sum_sq_;
  int64_t count_ = 0;
};

torch::Tensor unit(const torch::Tensor& x) {
  return x / x.norm(2, -1, /*keepdim=*/true).clamp_min(1e-12);
}

std::string chunk_name(int64_t begin, int64_t end) {
  char name[64];
  std::snprintf(name, sizeof(name), "channels_%06lld_%06lld.npy", static_cast<long long>(begin),
                static_cast<long long>(end));
  return name;
}

}  // namespace

StyleStatistics style_statistics(const torch::Tensor& s) {
  StatisticsSum sum;
  sum.add(s);
  return sum.finish();
}

RelevanceInputs sample_relevance_inputs(nets::LoadedGenerator& gen, int64_t stats_samples,
                                        int64_t num_images, uint64_t seed, double truncation,
                                        int64_t batch) {
  TORCH_CHECK(num_images >= 1 && stats_samples >= num_images && batch >= 1,
              "need 1 <= images <= statistics samples");
  c10::InferenceMode guard;
  auto rng = stream_generator(seed, Stream::kRelevance, 0);
  StatisticsSum sum;
  std::vector<torch::Tensor> s_img, w_img;
  int64_t kept = 0;
  for (int64_t done = 0; done < stats_samples; done += batch) {
    const int64_t n = std::min(batch, stats_samples - done);
    const auto z = torch::randn({n, gen.net->style_dim()}, rng, torch::kFloat32);
    auto w = gen.net->mapping(z);
    if (truncation != 1.0) w = nets::truncate(w, gen.latent_avg.to(w.dtype()), truncation);
    const auto wplus = gen.net->broadcast_w(w);
    const auto s = gen.net->w_to_s(wplus);
    sum.add(s);
    if (kept < num_images) {
      const int64_t take = std::min(n, num_images - kept);
      s_img.push_back(s.narrow(0, 0, take).to(torch::kCPU, torch::kFloat32));
      w_img.push_back(wplus.narrow(0, 0, take).to(torch::kCPU, torch::kFloat32));
      kept += take;
    }
  }
  return {sum.finish(), torch::cat(s_img, 0), torch::cat(w_img, 0)};
}

RelevanceInputs relevance_inputs_from_codes(const CodeSet& set, int64_t num_images) {
  if (!set.info().has_wplus)
    throw DataFileError(set.meta_file(),
                        "holds no W+ codes (made with --no-wplus): relevance "
                        "needs them to render the images");
  const int64_t done = set.complete_shards();
  if (done < set.info().num_shards())
    throw DataFileError(set.dir(), "is incomplete (" + std::to_string(done) + " of " +
                                       std::to_string(set.info().num_shards()) + " shards)");
  StatisticsSum sum;
  std::vector<torch::Tensor> s_img, w_img;
  int64_t kept = 0;
  for (int64_t k = 0; k < done; ++k) {
    const CodeShard shard = set.read_shard(k);
    if (shard.rows() == 0) continue;
    sum.add(shard.s);
    if (kept < num_images) {
      const int64_t take = std::min(shard.rows(), num_images - kept);
      s_img.push_back(shard.s.narrow(0, 0, take));
      w_img.push_back(shard.wplus.narrow(0, 0, take));
      kept += take;
    }
  }
  if (kept < num_images)
    throw DataFileError(set.dir(), "holds " + std::to_string(kept) + " codes, fewer than the " +
                                       std::to_string(num_images) + " images asked for");
  return {sum.finish(), torch::cat(s_img, 0), torch::cat(w_img, 0)};
}

torch::Tensor relevance_rows(nets::LoadedGenerator& gen, nets::ClipModel& clip,
                             const RelevanceInputs& inputs, int64_t begin, int64_t end,
                             const RelevanceOptions& options, const ChannelProgress& progress) {
  const int64_t S = inputs.s.size(1), N = inputs.s.size(0);
  TORCH_CHECK(0 <= begin && begin <= end && end <= S, "channel range [", begin, ", ", end,
              ") outside [0, ", S, ")");
  TORCH_CHECK(options.batch >= 1, "batch must be positive");
  c10::InferenceMode guard;
  const int64_t channels = end - begin, pairs = channels * N;
  const auto low = inputs.stats.mean - options.k * inputs.stats.std;   // [S]
  const auto high = inputs.stats.mean + options.k * inputs.stats.std;  // [S]
  torch::Tensor sums;                                                  // [channels, E] float64
  // (channel, image) pairs in channel-major order, `batch` per network call.
  for (int64_t p0 = 0; p0 < pairs; p0 += options.batch) {
    const int64_t b = std::min(options.batch, pairs - p0);
    const auto p = torch::arange(p0, p0 + b, torch::kInt64);
    const auto local = p.div(N, "floor");  // channel - begin
    const auto channel = local + begin;
    const auto image = p.remainder(N);
    const auto base = inputs.s.index_select(0, image);  // [b, S]
    auto s_minus = base.clone(), s_plus = base.clone();
    s_minus.scatter_(1, channel.unsqueeze(1), low.index_select(0, channel).unsqueeze(1));
    s_plus.scatter_(1, channel.unsqueeze(1), high.index_select(0, channel).unsqueeze(1));
    const auto wplus = inputs.wplus.index_select(0, image);
    // [2b, S] + [2b, L, D] -> [2b, 3, size, size] -> [2b, E]
    const auto images =
        gen.net->synthesize_s(torch::cat({s_minus, s_plus}, 0), torch::cat({wplus, wplus}, 0));
    const auto f = unit(clip_image_embedding(clip, images).to(torch::kFloat64));
    const auto d = unit(f.narrow(0, b, b) - f.narrow(0, 0, b));  // [b, E]
    if (!sums.defined()) sums = torch::zeros({channels, d.size(1)}, torch::kFloat64);
    sums.index_add_(0, local, d);
    if (progress) progress(begin + (p0 + b) / N, end);
  }
  if (!sums.defined()) return torch::zeros({0, clip->embed_dim()});
  return unit(sums / static_cast<double>(N)).to(torch::kFloat32);
}

int64_t completed_channels(const RelevanceJob& job, int64_t channels) {
  int64_t done = 0;
  for (int64_t begin = 0; begin < channels; begin += job.chunk) {
    const int64_t end = std::min(channels, begin + job.chunk);
    if (fs::exists(job.parts_dir / chunk_name(begin, end))) done += end - begin;
  }
  return done;
}

void compute_relevance_matrix(const RelevanceJob& job, nets::LoadedGenerator& gen,
                              nets::ClipModel& clip, const RelevanceInputs& inputs,
                              const RelevanceOptions& options, const ChannelProgress& progress) {
  TORCH_CHECK(job.chunk >= 1, "chunk must be positive");
  const int64_t S = inputs.s.size(1), E = clip->embed_dim();
  const fs::path settings_file = job.parts_dir / "settings.txt";
  if (fs::exists(settings_file)) {
    if (read_text_file(settings_file) != job.settings)
      throw OutputConflict(job.parts_dir,
                           "holds a relevance computation with other settings: "
                           "give the same options to resume it, or remove it");
  } else {
    if (!is_missing_or_empty(job.parts_dir))
      throw OutputConflict(job.parts_dir, "exists and is not a relevance parts folder");
    std::error_code ec;
    fs::create_directories(job.parts_dir, ec);
    if (ec) throw OutputConflict(job.parts_dir, "cannot be created (" + ec.message() + ")");
    write_text_atomically(settings_file, job.settings);
  }
  std::vector<torch::Tensor> rows;
  for (int64_t begin = 0; begin < S; begin += job.chunk) {
    const int64_t end = std::min(S, begin + job.chunk);
    const fs::path part = job.parts_dir / chunk_name(begin, end);
    torch::Tensor chunk;
    if (fs::exists(part)) {
      chunk = load_float_array(part, 2);
      if (chunk.size(0) != end - begin || chunk.size(1) != E)
        throw DataFileError(part, "has shape " + c10::str(chunk.sizes()) + ", expected [" +
                                      std::to_string(end - begin) + ", " + std::to_string(E) + "]");
    } else {
      chunk = relevance_rows(gen, clip, inputs, begin, end, options, [&](int64_t done, int64_t) {
        if (progress) progress(done, S);
      });
      save_float_array(part, chunk);
    }
    rows.push_back(chunk);
  }
  save_float_array(job.output, torch::cat(rows, 0));
  std::error_code ec;
  fs::remove_all(job.parts_dir, ec);
}

}  // namespace deltaedit::train
