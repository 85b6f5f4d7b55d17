#pragma once
// Training the attribute predictor on a demo dataset folder (`deltaedit demo dataset` output):
// the images and their attributes are loaded into memory once (30k x 64 px = 370 MB), batches
// and augmentations are drawn from (seed, step), and a checkpoint next to the output lets an
// interrupted run continue where it stopped.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/demo/demo_dataset.h"
#include "core/demo/face_attributes.h"
#include "core/demo_train/attribute_predictor.h"

namespace deltaedit::demo_train {

// One split of a dataset folder, in attributes.jsonl order.
struct DemoImages {
  torch::Tensor images;  // uint8 [N, 64, 64, 3] RGB (other sides are resampled to 64)
  std::vector<demo::FaceAttributes> attributes;
  std::vector<std::filesystem::path> files;  // absolute
  int64_t size() const { return static_cast<int64_t>(files.size()); }
};

// The first `max_count` images of `split` (all when negative). Throws demo::DatasetError naming
// the file for a missing attributes.jsonl, a bad line or an unreadable image.
DemoImages load_demo_images(const std::filesystem::path& data_dir, demo::Split split,
                            int64_t max_count = -1);

// Held-out quality, in this order: smile/hair_length/skin_tone/eye_size MAE and correlation,
// hair colour/background/glasses/beard accuracy.
using PredictorMetrics = std::vector<std::pair<std::string, double>>;
PredictorMetrics evaluate_predictor(const AttributePredictor& predictor, const DemoImages& data);
std::string format_metrics(const PredictorMetrics& metrics);  // "smile_mae 0.041, ..."

// Pearson correlation of two equally long 1-D tensors (any dtype), computed in double; 0 where
// either is constant. The yardstick of the predictor's regressions and of what a generator or an
// encoder keeps of each attribute.
double correlation(const torch::Tensor& a, const torch::Tensor& b);

struct PredictorTrainingOptions {
  std::filesystem::path data_dir;
  std::filesystem::path out;  // state dict file; a checkpoint OUT.partial sits beside it
  int64_t steps = 2500;
  int64_t batch = 64;
  double learning_rate = 2e-3;
  uint64_t seed = 0;
  int64_t max_train = -1;    // use only the first N training images (tests)
  int64_t max_held_out = -1;
  int64_t checkpoint_every = 250;
  bool augment = true;  // flips, exposure, blur and noise (the generator's images are softer)
};

struct PredictorTrainingResult {
  bool kept = false;        // OUT existed already: nothing trained
  int64_t first_step = 0;   // > 0 when resumed from the checkpoint
  double seconds = 0;       // this run's wall time (loading included)
  double last_loss = 0;     // mean training loss of the last 50 steps
  PredictorMetrics held_out;
  int64_t held_out_count = 0;
};

// `progress(step, steps, loss)` after every step (loss: running mean of recent steps).
using PredictorProgress = std::function<void(int64_t step, int64_t steps, double loss)>;
PredictorTrainingResult train_attribute_predictor(const PredictorTrainingOptions& options,
                                                  const PredictorProgress& progress = {});

}  // namespace deltaedit::demo_train
