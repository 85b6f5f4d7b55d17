#pragma once
// Photo -> first edited 1024 frame, as the engine runs it on an already aligned face: e4e input,
// inversion, W+ -> S, CLIP image embedding, mapper with a cached text direction and the
// relevance mask, render, 8-bit. Run in a child process per path so that each peak resident
// size is its own. The peak counts from the moment the models are ready (the fast path's with
// their large weights stored in float16, as the engine keeps them on CPU) to the first frame.
#include <cstdint>
#include <string>

namespace deltaedit::bench {

struct PhotoPathResult {
  double seconds = 0;           // the second photo (the first warms caches and the fast path)
  int64_t peak_bytes = 0;       // VmHWM from the models being ready (so models included)
  int64_t models_bytes = 0;     // resident once the models are ready
  // Fast path: the frame with float16-stored weights against the same path with every weight
  // in float32, PSNR in dB over 8-bit RGB (0 for the baseline).
  double half_weights_psnr = 0;
  double full_weights_seconds = 0;  // fast path: the same photo with every weight in float32
};

// In this process. `fast`: product paths; else the reference operation sequence.
PhotoPathResult run_photo_path(bool fast);

// Runs `exe --photo-path=fast|baseline` and parses its one-line answer; throws on failure.
PhotoPathResult run_photo_path_in_child(const std::string& exe, bool fast);

// The child's side: runs and prints the line.
int photo_path_child_main(bool fast);

}  // namespace deltaedit::bench
