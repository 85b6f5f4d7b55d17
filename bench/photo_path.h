#pragma once
// Photo -> first edited 1024 frame, as the engine runs it on an already aligned face: e4e input,
// inversion, W+ -> S, CLIP image embedding, mapper with a cached text direction and the
// relevance mask, render, 8-bit. Run in a child process per path so that each peak resident
// size is its own.
#include <cstdint>
#include <string>

namespace deltaedit::bench {

struct PhotoPathResult {
  double seconds = 0;           // the second photo (the first warms caches and the fast path)
  int64_t peak_bytes = 0;       // VmHWM of the whole process (models included)
  int64_t models_bytes = 0;     // resident after building the models
};

// In this process. `fast`: product paths; else the reference operation sequence.
PhotoPathResult run_photo_path(bool fast);

// Runs `exe --photo-path=fast|baseline` and parses its one-line answer; throws on failure.
PhotoPathResult run_photo_path_in_child(const std::string& exe, bool fast);

// The child's side: runs and prints the line.
int photo_path_child_main(bool fast);

}  // namespace deltaedit::bench
