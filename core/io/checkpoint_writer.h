#pragma once
// Writes a state dict the way torch.save(OrderedDict) does in its default zip format, so that
// Python's torch.load and our reader both read it back exactly (dtypes, shapes, strides,
// storage offsets, and storages shared between tensors).
#include <filesystem>

#include "core/io/state_dict.h"

namespace deltaedit::io {

// Atomic (temp file + rename). Tensors are saved from CPU copies where they live elsewhere.
// Throws ModelFileError naming `file` on IO errors or unsupported dtypes.
void save_state_dict(const std::filesystem::path& file, const StateDict& state_dict);

}  // namespace deltaedit::io
