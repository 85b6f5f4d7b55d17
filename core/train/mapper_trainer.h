#pragma once
// Training the DeltaMapper text-free (DeltaEdit's scripts/train.py): Adam on the pair objective
// of mapper_objective.h, a held-out validation split, checkpoints and exact resumption.
//
// A run folder holds
//   net_face.pth        the mapper weights, in the official file's layout (names and order of
//                       DeltaMapper().state_dict(), torch.save zip format): the product and
//                       DeltaEdit's Python code load it as they load the official file;
//   train_state.pt      the resume point: "step", "mapper.<name>" weights and Adam's
//                       "adam.<name>.exp_avg" / ".exp_avg_sq" (torch.save zip format);
//   train_options.json  the settings the run was started with (a resume must use the same);
//   train_log.csv       step, mean training loss since the previous row, validation loss.
// Every random draw comes from seed_streams.h (pairs of step t from stream t), so a resumed run
// continues exactly as an uninterrupted one would (bit for bit with the same device and thread
// count).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/state_dict.h"
#include "core/nets/mapper/delta_mapper.h"
#include "core/train/mapper_objective.h"

namespace deltaedit::train {

struct TrainOptions {
  int64_t iterations = 100000;  // total steps of the run (may be raised on resume)
  int64_t batch_size = 64;      // DeltaEdit's default
  double learning_rate = 0.5;   // DeltaEdit's default (weights are stored x100, see EqualLinear)
  uint64_t seed = 0;
  LossWeights weights;
  double val_fraction = 0.05;          // the last rows of the data, never trained on
  int64_t val_pairs = 1024;            // fixed pairs drawn among the validation rows
  int64_t val_every = 1000;            // steps between validations (and log rows)
  int64_t save_every = 5000;           // steps between checkpoints (also saved at the end)
  int64_t depth = 4;                   // EqualLinear layers per mapper module (DeltaEdit: 4)
  std::filesystem::path init_weights;  // start from these weights instead of random ones
  // Share of each batch drawn from TrainingData's counterpart pairs (when it has them).
  double paired_fraction = 0.5;
  // Noise added to every training delta (noisy_condition); 0 trains on the clean deltas.
  double delta_noise = 0.0;
};

struct TrainingData {
  torch::Tensor s;                // [N, S] float32
  torch::Tensor c_unit;           // [N, E] float32, unit rows
  std::vector<int64_t> s_widths;  // the generator's S widths
  std::string fingerprint;        // identifies the data (a resume must use the same)
  // Optional counterpart pairs: rows 2k and 2k + 1 are the same portrait with one attribute
  // changed (add_paired_data). Trained on as pairs in either order, never validated on.
  torch::Tensor pair_s, pair_c_unit;  // [2P, S], [2P, E]
};

// Reads complete code sets (same S widths and CLIP width) and concatenates them in order.
// Throws DataFileError naming a bad folder or file.
TrainingData load_training_data(const std::vector<std::filesystem::path>& code_dirs);

// Adds the codes of `dir` as counterpart pairs (an even number of rows, same widths as `data`);
// called again, it appends another folder's pairs.
// Throws DataFileError naming the folder.
void add_paired_data(TrainingData& data, const std::filesystem::path& dir);

// DeltaMapper's architecture for a generator's S widths and a CLIP embedding width: the first
// 3 (coarse) and next 4 (medium) conv layers must share one width. Throws std::invalid_argument.
nets::DeltaMapperConfig mapper_config_for(const std::vector<int64_t>& s_widths, int64_t embed_dim,
                                          int64_t depth = 4);

// A new mapper with DeltaEdit's initialisation (EqualLinear: weight ~ N(0, 1) / lr_mul, bias 0),
// drawn from the (seed, init) stream. CPU, float32, training mode.
nets::DeltaMapper init_mapper(const nets::DeltaMapperConfig& config, uint64_t seed);

// The weights as net_face.pth stores them: parameter names and order of the official
// DeltaMapper's state_dict, CPU float32 copies.
io::StateDict mapper_state_dict(nets::DeltaMapperImpl& mapper);

struct LossValues {
  double total = 0, l2 = 0, cosine = 0;
};

struct TrainEvent {
  int64_t step = 0;                      // steps done
  int64_t iterations = 0;                // steps of the run
  LossValues train;                      // the batch of this step
  std::optional<LossValues> validation;  // at validation steps
  bool saved = false;                    // a checkpoint was written after this step
  double steps_per_second = 0;           // training steps only, this session
};
using TrainProgress = std::function<void(const TrainEvent&)>;

class MapperTrainer {
 public:
  // Starts a run in `run_dir` (missing or empty) or resumes the run saved there. Throws
  // OutputConflict when the folder holds something else or a run with other settings or data,
  // DataFileError for a corrupt resume state, std::invalid_argument for bad options.
  MapperTrainer(TrainingData data, const TrainOptions& options, std::filesystem::path run_dir,
                torch::Device device = torch::kCPU);
  ~MapperTrainer();
  MapperTrainer(const MapperTrainer&) = delete;
  MapperTrainer& operator=(const MapperTrainer&) = delete;

  int64_t step() const;
  bool resumed() const;  // the run continued from a saved state
  int64_t train_rows() const;
  int64_t validation_rows() const;
  nets::DeltaMapper mapper() const;

  // The objective on the fixed validation pairs (no gradients). Requires validation rows.
  LossValues validate();

  // Steps until options.iterations: validates every val_every steps and at the end (and at step
  // 0 of a new run, reported as an event with step 0 and no training loss), saves every
  // save_every steps and at the end.
  void train(const TrainProgress& progress = {});

  // Writes net_face.pth, train_state.pt and train_log.csv for the current step.
  void save();

  const std::filesystem::path& run_dir() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltaedit::train
