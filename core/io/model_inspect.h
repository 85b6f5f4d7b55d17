#pragma once
// A human-readable description of a model file, as a user checking a download wants it: the
// format, then a tree of keys with shape, dtype and bytes of every tensor, the value of every
// non-tensor, and totals. Backs `deltaedit models inspect FILE`.
#include <filesystem>
#include <string>

namespace deltaedit::io {

// Detects torch.save checkpoints (zip / legacy), TorchScript archives and .npy files.
// Throws ModelFileError when the file is none of these or is damaged.
std::string describe_model_file(const std::filesystem::path& file);

}  // namespace deltaedit::io
