#pragma once
// Parameters and buffers of a TorchScript archive (torch.jit.save), by the dotted names that
// module.state_dict() gives, in that order, without executing any of its code. CLIP's
// ViT-B-32.pt is such an archive.
#include <filesystem>

#include "core/io/state_dict.h"

namespace deltaedit::io {

// Throws ModelFileError for anything that is not a readable TorchScript archive.
StateDict load_torchscript_state_dict(const std::filesystem::path& file);

// True when the file is a zip archive holding TorchScript code (constants.pkl / code/).
bool is_torchscript_archive(const std::filesystem::path& file);

}  // namespace deltaedit::io
