#pragma once
// Writes checkpoints the way torch.save does in its default zip format, so that Python's
// torch.load and our reader both read them back exactly (dtypes, shapes, strides, storage
// offsets, and storages shared between tensors).
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "core/io/state_dict.h"

namespace deltaedit::io {

// torch.save(OrderedDict) of the entries. Atomic (temp file + rename). Tensors are saved from
// CPU copies where they live elsewhere. Throws ModelFileError naming `file` on IO errors or
// unsupported dtypes.
void save_state_dict(const std::filesystem::path& file, const StateDict& state_dict);

// One value of a checkpoint dict: a tensor, a state dict (written as an OrderedDict), or a
// plain number or string (e.g. rosinality's {"g_ema": ..., "latent_avg": ...} or e4e's
// {"state_dict": ..., "latent_avg": ...}).
using CheckpointValue = std::variant<torch::Tensor, StateDict, int64_t, double, std::string>;
using CheckpointEntries = std::vector<std::pair<std::string, CheckpointValue>>;

// torch.save({...}) of a plain dict with these entries, in order. Same guarantees as above.
void save_checkpoint(const std::filesystem::path& file, const CheckpointEntries& entries);

}  // namespace deltaedit::io
