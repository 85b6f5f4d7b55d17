#pragma once
// Strict weight loading: a module's parameter and buffer names are the checkpoint keys, so
// loading is name-for-name. Every parameter/buffer must be present with the same shape and no
// checkpoint key may be left over; values are converted to the module's dtype and device.
#include <string>
#include <vector>

#include <torch/torch.h>

#include "core/io/state_dict.h"

namespace deltaedit::nets {

// Throws io::ModelFileError naming the file, the key and expected vs found shape.
// `ignored` keys of the state dict may be left unused (e.g. CLIP's extra 0-dim entries).
void load_weights(torch::nn::Module& module, const io::StateDict& weights,
                  const std::vector<std::string>& ignored = {});

// The inverse, as PyTorch's Module.state_dict() orders it (each module's parameters, then its
// buffers, then its children, depth first): CPU float32 copies, detached. For saving trained
// networks under the checkpoint keys their loaders read.
io::StateDict module_state_dict(const torch::nn::Module& module);

// "[64, 3, 3, 3]": how every network error message writes a shape.
std::string shape_str(c10::IntArrayRef shape);

// Shape of a required tensor (for inferring architecture sizes from the weights).
std::vector<int64_t> shape_of(const io::StateDict& weights, const std::string& key);

// Number of consecutive indices i for which `prefix + i + suffix` exists (e.g. "convs.", ".conv.weight").
int64_t count_indexed(const io::StateDict& weights, const std::string& prefix,
                      const std::string& suffix);

}  // namespace deltaedit::nets
