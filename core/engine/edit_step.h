#pragma once
// One text edit as the user made it: the prompts, the strength (alpha) and the relevance
// threshold (beta). Edits compose: each one is applied on top of the result of the previous.
#include <string>

namespace deltaedit::engine {

struct EditStep {
  std::string source = "face";  // neutral prompt
  std::string target;           // e.g. "face with a smile"
  double strength = 1.0;        // alpha: any real; negative reverses the edit
  double threshold = 0.03;      // beta: channels with |fs3 · dt_raw| < beta are left alone

  bool operator==(const EditStep&) const = default;
};

}  // namespace deltaedit::engine
