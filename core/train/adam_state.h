#pragma once
// Adam's moments saved next to the weights, so that an interrupted training resumes exactly:
// "adam.<parameter name>.exp_avg" and ".exp_avg_sq" entries of a state dict.
#include <cstdint>
#include <string>

#include <torch/torch.h>

#include "core/io/state_dict.h"

namespace deltaedit::train {

// Adds the moments of every parameter of `module` that has taken a step.
void add_adam_state(io::StateDict& out, const torch::optim::Adam& adam,
                    const torch::nn::Module& module, const std::string& prefix = "adam.");

// Restores them as after `step` steps (nothing when step is 0), on the parameters' devices.
// Throws io::ModelFileError naming state.source() for a missing or misshapen entry.
void restore_adam_state(torch::optim::Adam& adam, const torch::nn::Module& module,
                        const io::StateDict& state, int64_t step,
                        const std::string& prefix = "adam.");

}  // namespace deltaedit::train
