#pragma once
// A human-readable description of a model file, as a user checking a download wants it: the
// format, then a tree of keys with shape, dtype and bytes of every tensor, the value of every
// non-tensor, and totals. Backs `deltaedit models inspect FILE`.
#include <filesystem>
#include <string>

#include <torch/torch.h>

namespace deltaedit::io {

// Detects torch.save checkpoints (zip / legacy), TorchScript archives and .npy files.
// Throws ModelFileError when the file is none of these or is damaged.
std::string describe_model_file(const std::filesystem::path& file);

// PyTorch's user-facing dtype name ("float32", "int64", ...), as the fixtures and `inspect` write it.
std::string dtype_name(torch::ScalarType type);

}  // namespace deltaedit::io
