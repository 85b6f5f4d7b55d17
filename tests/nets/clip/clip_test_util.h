#pragma once
// Shared pieces of the CLIP tests: the fixture model (loaded once) and the few JSON facts the
// tests read from the fixture descriptions (there is no JSON library in the stack; the fixture
// files are machine-written with a fixed layout).
#include <string>
#include <vector>

#include "core/nets/clip/clip_model.h"

namespace deltaedit::testing {

// fixtures/clip/clip_jit.pt loaded on CPU (float32), eval mode. Loaded on first use.
nets::ClipModel& fixture_clip();

struct NamedShape {
  std::string name;
  std::vector<int64_t> shape;
  double sum = 0.0;  // only where the JSON has "sum"
};

// Every {"name": ..., "shape": [...]} object of `json` (in order), with "sum" when present.
std::vector<NamedShape> json_named_shapes(const std::string& json);

// The integer value of the first "key": N, or of the array "key": [a, b, ...].
int64_t json_int(const std::string& json, const std::string& key);
std::vector<int64_t> json_int_array(const std::string& json, const std::string& key);

}  // namespace deltaedit::testing
