#include "core/demo_train/threshold_calibration.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace deltaedit::demo_train {

std::vector<double> default_threshold_grid() { return {0.0, 0.001, 0.002, 0.004, 0.008, 0.015, 0.03, 0.06}; }

double calibration_score(const EditEvaluation& e, double max_other_ratio) {
  if (e.prompts.empty()) return 0;
  double quality = 0;
  for (const auto& p : e.prompts) {
    double q = std::min(p.right_way_plus, p.reversal.measure());
    // A NaN ratio means nothing else moved: no penalty.
    if (std::isfinite(p.worst_other_ratio) && p.worst_other_ratio > max_other_ratio)
      q *= max_other_ratio / p.worst_other_ratio;
    else if (std::isinf(p.worst_other_ratio))
      q = 0;
    quality += q;
  }
  // The mean quality is below 1 unless every prompt is perfect, so a pass always outweighs it.
  return e.passing() + 0.999 * quality / static_cast<double>(e.prompts.size());
}

ThresholdCalibration calibrate_threshold(engine::EditEngine& engine, const AttributePredictor& predictor,
                                         const EditEvaluationOptions& base, const std::vector<double>& grid,
                                         const std::function<void(int64_t, int64_t)>& progress) {
  if (grid.empty()) throw std::invalid_argument("calibrate_threshold: empty grid");
  ThresholdCalibration c;
  for (size_t g = 0; g < grid.size(); ++g) {
    EditEvaluationOptions o = base;
    o.threshold = grid[g];
    c.candidates.push_back(evaluate_edits(engine, predictor, o, [&](int64_t done, int64_t total) {
      if (progress) progress(static_cast<int64_t>(g) * total + done, static_cast<int64_t>(grid.size()) * total);
    }));
    c.scores.push_back(calibration_score(c.candidates.back(), base.max_other_ratio));
  }
  const auto best = std::max_element(c.scores.begin(), c.scores.end());  // first of equals
  c.best_threshold = grid[static_cast<size_t>(best - c.scores.begin())];
  return c;
}

nlohmann::json to_json(const ThresholdCalibration& c) {
  nlohmann::json j;
  j["threshold"] = c.best_threshold;
  j["candidates"] = nlohmann::json::array();
  for (size_t i = 0; i < c.candidates.size(); ++i)
    j["candidates"].push_back({{"threshold", c.candidates[i].threshold},
                               {"score", c.scores[i]},
                               {"passing", c.candidates[i].passing()},
                               {"evaluation", to_json(c.candidates[i])}});
  return j;
}

std::string to_markdown(const ThresholdCalibration& c) {
  std::ostringstream m;
  m << "| beta | passing prompts | score |";
  const auto& first = c.candidates.front().prompts;
  for (const auto& p : first) m << " " << p.spec.attribute << " (+ / -) |";
  m << "\n| --- | --- | --- |";
  for (size_t i = 0; i < first.size(); ++i) m << " --- |";
  m << "\n";
  for (size_t i = 0; i < c.candidates.size(); ++i) {
    const auto& e = c.candidates[i];
    m.precision(3);
    m << "| " << std::fixed << e.threshold << (e.threshold == c.best_threshold ? " (chosen)" : "") << " | "
      << e.passing() << " | " << c.scores[i] << " |";
    m.precision(0);
    for (const auto& p : e.prompts) m << " " << 100 * p.right_way_plus << " / " << 100 * p.reversal.measure() << " % |";
    m << "\n";
  }
  return m.str();
}

}  // namespace deltaedit::demo_train
