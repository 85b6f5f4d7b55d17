#pragma once
// The demo bundle's small CLIP: a random-init OpenAI-layout ViT CLIP trained contrastively
// (symmetric InfoNCE) on demo portraits and freshly drawn captions, saved so that
// nets::load_clip reads it, and evaluated the way DeltaEdit uses it (retrieval and the
// alignment of text directions with image-embedding differences).
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "core/demo/demo_dataset.h"
#include "core/demo/face_attributes.h"
#include "core/io/state_dict.h"
#include "core/nets/clip/clip_model.h"
#include "core/text/clip_tokenizer.h"

namespace deltaedit::demo_train {

// Portraits with their ground truth: images [N, H, W, 3] uint8 RGB.
struct ClipExamples {
  torch::Tensor images;
  std::vector<demo::FaceAttributes> attributes;
  int64_t count() const { return static_cast<int64_t>(attributes.size()); }
};

// The first `count` portraits of a split drawn in memory (as `demo dataset` would write them).
ClipExamples render_clip_examples(uint64_t seed, demo::Split split, int64_t count, int size);
// Every portrait of `split` listed in DIR/attributes.jsonl, read from its PNG. Throws
// demo::DatasetError naming the file on a missing or bad file.
ClipExamples load_clip_examples(const std::filesystem::path& data_dir, demo::Split split);

// What the engine feeds CLIP for an image: [N, H, W, 3] uint8 RGB -> [N, 3, H, W] in [-1, 1]
// (e4e's input transform) -> deltaedit_resample with kernel H / 32 -> [N, 3, 224, 224].
torch::Tensor clip_image_input(const torch::Tensor& rgb8_nhwc);

// The demo bundle's architecture (widths must be multiples of 64: CLIP uses width / 64 heads).
nets::ClipConfig demo_clip_config(int64_t vocab_size);

// A fresh model with CLIP's initialize_parameters (token embedding std 0.02, positional 0.01,
// attention / MLP std from width and layers, logit_scale = log(1 / 0.07)), from `seed`.
nets::ClipModel init_clip_model(const nets::ClipConfig& config, uint64_t seed);

// Symmetric InfoNCE of matching rows: image [B, E], text [B, E] (not normalized), logit_scale
// [] (log temperature). Returns the mean of the image->text and text->image cross-entropies.
torch::Tensor clip_contrastive_loss(const torch::Tensor& image_features,
                                    const torch::Tensor& text_features,
                                    const torch::Tensor& logit_scale);

// DeltaEdit's premise made a training signal: for pairs (a, b), the difference of the
// normalized image embeddings points the way the difference of their captions' normalized
// text embeddings does. Rows are pairs: [P, E] each. Returns 1 - mean cosine of the two deltas.
torch::Tensor delta_alignment_loss(const torch::Tensor& image_a, const torch::Tensor& image_b,
                                   const torch::Tensor& text_a, const torch::Tensor& text_b);

// Pairs of different attribute families must change the embeddings in different directions:
// the mean, over pairs (i, j) with families[i] != families[j], of the squared cosine of their
// image deltas plus that of their text deltas (0 when all are orthogonal, 2 when parallel).
// The demo CLIP saw a smile, bigger eyes, glasses and a beard change along one shared
// direction (text directions with cosines up to 0.93), so the mapper could not tell them
// apart. Rows are pairs: [P, E] each, families [P] (int64). 0 without two families.
torch::Tensor delta_separation_loss(const torch::Tensor& image_a, const torch::Tensor& image_b,
                                    const torch::Tensor& text_a, const torch::Tensor& text_b,
                                    const torch::Tensor& families);

// Every parameter under its checkpoint name (contiguous CPU float32 copies).
io::StateDict clip_state_dict(nets::ClipModelImpl& model);

struct ClipTrainOptions {
  // About 0.6 CPU-seconds a step for the demo config: 800 steps take ~4-8 minutes on 2 cores.
  int64_t steps = 800;
  int64_t batch = 64;
  uint64_t seed = 0;
  double learning_rate = 1e-3;  // Adam (CLIP's betas 0.9 / 0.98, eps 1e-6), peak of the schedule
  int64_t warmup_steps = 40;    // linear warm-up, then cosine decay to 0
  // Fraction of each batch made of counterpart pairs (attribute_counterparts.h): a drawn
  // portrait and its re-rendering with one named attribute changed, captioned to differ only
  // there, as hard negatives of each other. 0: every example drawn on its own.
  double pair_fraction = 0.0;
  // Weight of delta_alignment_loss over those pairs, added to the contrastive loss. The large
  // CLIP's delta space is aligned by scale alone; a small one trained on captions of 30000
  // portraits aligns its single-attribute deltas far less without it. 0: contrastive only.
  double delta_weight = 0.0;
  // Weight of delta_separation_loss over those pairs. 0: none.
  double delta_separation_weight = 0.0;
  // Share of the pairs' short captions that name the attribute on both sides which get the bare
  // subject on one side (counterpart_captions' neutral_share). 0: none.
  double neutral_source = 0.0;
  // Start from these weights (a clip.pt this trainer wrote, same config) instead of CLIP's
  // random init: fine-tuning. A checkpoint to resume takes precedence.
  std::filesystem::path init;
  // Periodic checkpoint (model + Adam + step) for an exact resume; empty: none.
  std::filesystem::path checkpoint;
  int64_t checkpoint_every = 200;
};

struct ClipTrainProgress {
  int64_t step = 0;  // steps done
  int64_t steps = 0;
  double loss = 0.0;  // this step's loss
  double steps_per_second = 0.0;
  double logit_scale = 0.0;  // exp(logit_scale)
};
using ClipTrainCallback = std::function<void(const ClipTrainProgress&)>;

class ClipTrainer {
 public:
  // Resumes from options.checkpoint when it exists (the model config must match).
  ClipTrainer(const nets::ClipConfig& config, std::shared_ptr<const text::ClipTokenizer> tokenizer,
              ClipExamples train, ClipTrainOptions options);
  ~ClipTrainer();

  // One step: a batch of (image, freshly drawn caption), drawn from (seed, step) only, so a
  // resumed run draws what an uninterrupted one would. Returns the loss.
  double step();
  // Runs to options.steps (checkpointing), reporting after every step.
  void train(const ClipTrainCallback& progress = {});
  // Writes options.checkpoint now (model, Adam moments, step); train() calls it periodically.
  void save_checkpoint() const;

  int64_t steps_done() const;
  bool resumed() const;
  nets::ClipModel model() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// DeltaEdit-style checks of a trained model on held-out portraits.
struct ClipEvaluation {
  double retrieval_top1 = 0.0;  // image -> own full caption among batches of `group` portraits
  int64_t retrieval_group = 0;
  // Per attribute prompt: cosine between the text direction (ensemble, "face" as source) and
  // the mean normalized image-embedding difference of portraits with and without it.
  std::vector<std::pair<std::string, double>> delta_alignment;
};
ClipEvaluation evaluate_clip(nets::ClipModel model, std::shared_ptr<const text::ClipTokenizer> tokenizer,
                             const ClipExamples& held_out, int64_t group = 64);

}  // namespace deltaedit::demo_train
