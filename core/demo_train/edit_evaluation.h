#pragma once
// How well the demo bundle's text edits work, measured with the attribute predictor: held-out
// portraits are opened through the engine (as `deltaedit edit --aligned` does), reconstructed
// (alpha 0) and edited at +alpha and -alpha; the predictor reads every picture and the report
// says, per prompt, how often the named attribute moved the right way and how much the others
// moved. Also the encoder's reconstruction PSNR.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>
#include <torch/torch.h>

#include "core/demo/demo_dataset.h"
#include "core/demo_train/attribute_predictor.h"
#include "core/engine/edit_engine.h"

namespace deltaedit::demo_train {

// A prompt and the score (a name of score_names()) it should raise (+1) or lower (-1).
struct EditPromptSpec {
  std::string target;
  std::string attribute;
  int direction = +1;
};
// smile, blond hair, glasses, beard, long hair, dark skin, big eyes.
std::vector<EditPromptSpec> default_edit_prompts();

struct EditEvaluationOptions {
  std::filesystem::path data_dir;  // a demo dataset with held-out images
  // The acceptance measures held-out portraits; choosing settings (threshold_calibration.h)
  // uses training portraits so that the measurement stays independent.
  demo::Split split = demo::Split::kHeldOut;
  int64_t count = 200;             // first N images of the split
  double alpha = 1.0;              // edits at +alpha and -alpha
  double threshold = 0.03;         // beta (the engine's default EditStep::threshold)
  std::string source = "face";
  std::vector<EditPromptSpec> prompts = default_edit_prompts();
  // A prompt passes when at least this fraction moves the right way at +alpha and -alpha undoes
  // the edit as far as the attribute allows (Reversal::measure() at least this), and no other
  // attribute moves more than `max_other_ratio` times as much (in held-out standard deviations).
  double min_right_way = 0.8;
  double max_other_ratio = 0.5;
};

// The attributes every prompt's side effects are measured on.
const std::vector<std::string>& side_effect_attributes();

// How -alpha undoes a prompt's edit. Every face has some smile, so for a regression the reverse
// edit should move every image back ("all"). A yes/no attribute is different: a face without a
// beard has no beard to take away, and the generator cannot draw less than none, so the reverse
// of "face with a beard" is measured on the faces that have one (their reconstruction reads it,
// value > 0.5), and on the others -alpha must only not add it.
struct Reversal {
  bool by_presence = false;  // the named score is a presence score (is_presence_score)
  double all = 0;            // fraction of all images whose named signal moved back at -alpha
  // by_presence only. Holders: the images whose reconstruction already is what +alpha aims at
  // (has the attribute for a prompt that adds it, lacks it for one that removes it).
  int64_t holders = 0;
  double from_holders = 0;        // fraction of the holders whose signal moved back at -alpha
  double taken_from_holders = 0;  // ... whose reading crossed 0.5 back (the attribute undone)
  double added_to_others = 0;     // fraction of the others that -alpha made holders (wrong way)
  double added_plus = 0;          // fraction of the others that +alpha made holders
  // The figure the pass rule compares with min_right_way: `all` for a regression; for a
  // presence score min(from_holders, 1 - added_to_others), 0 without holders.
  double measure() const;
};

// Per image [N] (float64): the named score's value on the reconstruction and at +/-alpha, and its
// signal's change at -alpha (edit minus reconstruction); `direction` is the prompt's.
Reversal measure_reversal(bool by_presence, int direction, const torch::Tensor& recon_value,
                          const torch::Tensor& plus_value, const torch::Tensor& minus_value,
                          const torch::Tensor& minus_signal_change);

struct PromptEvaluation {
  EditPromptSpec spec;
  double right_way_plus = 0;   // fraction of images whose named score moved the right way at +alpha
  Reversal reversal;           // how -alpha undoes it (reversal.all: the opposite way at -alpha)
  double mean_change_plus = 0;   // mean signed change of the named value (towards `direction` > 0)
  double mean_change_minus = 0;
  double named_effect = 0;       // |mean change at +alpha| in held-out standard deviations
  // Mean |change| at +alpha of each side_effect_attributes() entry, in held-out standard
  // deviations (the named attribute itself is NaN); then the fraction of images whose predicted
  // hair colour / background class changed.
  std::vector<double> other_effects;
  double hair_class_changed = 0, background_class_changed = 0;
  double worst_other_ratio = 0;  // max other effect / named effect (NaN when none)
  std::string worst_other;
  bool passes = false;
};

struct EditEvaluation {
  demo::Split split = demo::Split::kHeldOut;
  int64_t images = 0;
  double alpha = 0, threshold = 0;
  double psnr_mean = 0, psnr_min = 0, psnr_max = 0;  // reconstruction vs original, dB
  std::vector<double> held_out_std;  // per score_names(), predicted on the originals
  // Per side_effect_attributes(): the correlation over the images of the predictor's reading of
  // the original and of its reconstruction, i.e. how much of each attribute the encoder keeps
  // (an edit starts from the reconstruction).
  std::vector<double> reconstruction_kept;
  std::vector<PromptEvaluation> prompts;
  // [prompts, prompts] float64: the cosine between two prompts' StyleSpace directions (the
  // masked delta S at strength 1), averaged over the images. Prompts the mapper cannot tell
  // apart (similar CLIP text directions) have similar directions, and each one's edit moves
  // the other's attribute.
  torch::Tensor direction_cosines;
  int passing() const;
};

// `progress(done, total)` after every image. Throws demo::DatasetError for a bad dataset,
// std::invalid_argument for an unknown attribute name.
EditEvaluation evaluate_edits(engine::EditEngine& engine, const AttributePredictor& predictor,
                              const EditEvaluationOptions& options,
                              const std::function<void(int64_t, int64_t)>& progress = {});

nlohmann::json to_json(const EditEvaluation& e);
std::string to_markdown(const EditEvaluation& e);

// Peak signal-to-noise ratio of two images in [0, 1] (same shape), dB; +inf when identical.
double psnr(const torch::Tensor& a, const torch::Tensor& b);

}  // namespace deltaedit::demo_train
