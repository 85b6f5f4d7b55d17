#pragma once
// The relevance matrix fs3 [S, E] of StyleCLIP's global directions (SingleChannel.py, GetFs),
// which DeltaEdit uses to choose the StyleSpace channels an edit may change. For channel c:
//   for each of N images: set channel c of the image's S code to mean_c - k std_c and to
//   mean_c + k std_c (statistics over many sampled codes), render both (toRGB styles from the
//   image's W+), embed both with CLIP, L2-normalize each, take (plus - minus) and L2-normalize it;
//   fs3[c] = the mean of these N unit differences, L2-normalized.
// Differences: CLIP's input is DeltaEdit's resampling of the float render (kernel = side / 32, no
// mean/std), where StyleCLIP quantizes to 8 bits and uses CLIP's preprocess; a zero difference
// (a channel without visible effect, or std 0) counts as the zero vector instead of NaN.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>

#include <torch/torch.h>

#include "core/nets/clip/clip_model.h"
#include "core/nets/stylegan2/generator.h"
#include "core/train/code_shards.h"

namespace deltaedit::train {

struct StyleStatistics {
  torch::Tensor mean;  // [S] float32
  torch::Tensor std;   // [S] float32, population standard deviation (numpy's default)
  int64_t count = 0;   // codes they were computed over
};

// s [M, S] -> per-channel statistics (float64 accumulation).
StyleStatistics style_statistics(const torch::Tensor& s);

struct RelevanceInputs {
  StyleStatistics stats;
  torch::Tensor s;      // [N, S] float32 CPU: the images' codes
  torch::Tensor wplus;  // [N, L, D] float32 CPU
};

// StyleCLIP's setup: `stats_samples` codes z ~ N(0, I) from the (seed, relevance) stream, w
// truncated toward latent_avg by `truncation` (StyleCLIP: 0.7), W+ = w in every slot, S from W+;
// statistics over all of them, the images are the first `num_images`. No rendering.
RelevanceInputs sample_relevance_inputs(nets::LoadedGenerator& gen, int64_t stats_samples,
                                        int64_t num_images, uint64_t seed, double truncation,
                                        int64_t batch = 256);

// The same from a complete code set with W+: statistics over all its codes, the images are its
// first `num_images` rows. Throws DataFileError for a set without W+ or with too few codes.
RelevanceInputs relevance_inputs_from_codes(const CodeSet& set, int64_t num_images);

struct RelevanceOptions {
  double k = 5.0;     // StyleCLIP's alpha for FFHQ: mean +/- 5 std
  int64_t batch = 8;  // (channel, image) pairs per network call: 2 * batch renders
};

// (channels done, channels in total) after every network call.
using ChannelProgress = std::function<void(int64_t done, int64_t total)>;

// Rows of fs3 for channels [begin, end): [end - begin, E] float32 CPU.
torch::Tensor relevance_rows(nets::LoadedGenerator& gen, nets::ClipModel& clip,
                             const RelevanceInputs& inputs, int64_t begin, int64_t end,
                             const RelevanceOptions& options = {},
                             const ChannelProgress& progress = {});

struct RelevanceJob {
  std::filesystem::path output;     // fs3.npy, [S, E] float32
  std::filesystem::path parts_dir;  // chunk files while it runs (removed at the end)
  int64_t chunk = 64;               // channels per chunk file
  std::string settings;  // identifies models and inputs: a resume must give the same text
};

// Channels whose chunk files are already in job.parts_dir (done before a resume).
int64_t completed_channels(const RelevanceJob& job, int64_t channels);

// Computes the chunks missing in job.parts_dir, then writes job.output atomically and removes
// the parts folder. Throws OutputConflict when the parts folder holds another computation.
void compute_relevance_matrix(const RelevanceJob& job, nets::LoadedGenerator& gen,
                              nets::ClipModel& clip, const RelevanceInputs& inputs,
                              const RelevanceOptions& options = {},
                              const ChannelProgress& progress = {});

}  // namespace deltaedit::train
