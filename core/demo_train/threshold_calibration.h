#pragma once
// The demo bundle's recommended relevance threshold beta. |fs3 · dt| scales with how far apart
// the CLIP model puts the two prompts' embeddings, so DeltaEdit's 0.03 (tuned for OpenAI's
// ViT-B/32) can mask every channel of a small CLIP's edit. `demo build` therefore measures the
// bundle's edits at a grid of betas on TRAINING portraits (the acceptance uses held-out ones)
// and writes the best into the bundle's manifest ("defaults": {"threshold": beta}), which the
// editor, the CLI and `demo evaluate` start from.
#include <functional>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/demo_train/edit_evaluation.h"

namespace deltaedit::demo_train {

// 0 (no mask) and doubling steps up to twice DeltaEdit's default; at most three decimals, as the
// editor's threshold box shows them.
std::vector<double> default_threshold_grid();

// Higher is better: the number of passing prompts, then (in [0, 1)) the mean over prompts of
// min(right way at +alpha, Reversal::measure()), scaled down by max_other_ratio / ratio where the
// side effects are too large.
double calibration_score(const EditEvaluation& e, double max_other_ratio);

struct ThresholdCalibration {
  std::vector<EditEvaluation> candidates;  // one per grid value, in grid order
  std::vector<double> scores;
  double best_threshold = 0;  // the grid value with the highest score (the lowest on ties)
};

// Evaluates `base` (split, count, prompts, alpha) at every grid value. `progress(done, total)`
// counts images over the whole grid. Throws what evaluate_edits throws.
ThresholdCalibration calibrate_threshold(engine::EditEngine& engine, const AttributePredictor& predictor,
                                         const EditEvaluationOptions& base, const std::vector<double>& grid,
                                         const std::function<void(int64_t, int64_t)>& progress = {});

nlohmann::json to_json(const ThresholdCalibration& c);
std::string to_markdown(const ThresholdCalibration& c);  // one row per candidate

}  // namespace deltaedit::demo_train
