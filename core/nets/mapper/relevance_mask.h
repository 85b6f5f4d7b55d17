#pragma once
// DeltaEdit's channel selection (GetBoundary / improved_ds of inference_real.py): S channels whose
// relevance |fs3 . dt_raw| to the RAW text delta is below beta are left unedited.
#include <torch/torch.h>

namespace deltaedit::nets {

// fs3 [S, E], dt_raw [E] -> relevance [S] (signed)
torch::Tensor relevance(const torch::Tensor& fs3, const torch::Tensor& dt_raw);

// fs3 [S, E], dt_raw [E] -> bool [S], true = kept (|relevance| >= beta)
torch::Tensor keep_mask(const torch::Tensor& fs3, const torch::Tensor& dt_raw, double beta);

// delta_s [B, S], keep bool [S] -> [B, S] with the dropped channels set to exactly 0
torch::Tensor mask_delta_s(const torch::Tensor& delta_s, const torch::Tensor& keep);

}  // namespace deltaedit::nets
