#pragma once
// Baselines that follow the reference implementation's operation sequence where our product code
// computes the same result differently (the generator's reference sequence is its
// RenderPath::kReference; these are the rest).
#include <string>

#include <torch/torch.h>

#include "core/nets/clip/clip_model.h"
#include "core/text/clip_tokenizer.h"

namespace deltaedit::bench {

// DeltaEdit's CLIP input: nn.Upsample(scale_factor=7) (nearest) then AvgPool2d(kernel).
// [N, C, H, W] -> [N, C, 7H / kernel, 7W / kernel], materialising the x7 image.
torch::Tensor reference_resample(const torch::Tensor& image, int64_t kernel);

// GetDt's text delta as the reference computes it: every template of both prompts tokenized and
// encoded on its own at the full context length (no cache, no batch, no cut), each normalized,
// averaged, normalized; target minus source. -> raw delta [E].
torch::Tensor reference_text_delta(nets::ClipModel& clip, const text::ClipTokenizer& tokenizer,
                                   const std::string& target, const std::string& source);

}  // namespace deltaedit::bench
