#pragma once
// Safe reader for PyTorch checkpoints as users download them (torch.save zip format and the
// legacy pre-1.6 format). The pickle is interpreted by a restricted machine that only knows the
// globals needed to rebuild tensors and plain containers; anything else is refused with an error
// naming the global. Every size and offset is checked against the bytes present before anything
// is allocated or read. Tensor data is memory-mapped (copy-on-write) where alignment allows.
#include <filesystem>
#include <string_view>

#include "core/io/pickle_value.h"
#include "core/io/state_dict.h"

namespace deltaedit::io {

// Reads a torch.save file (zip or legacy, detected from the bytes). Throws ModelFileError.
PickleValue load_checkpoint(const std::filesystem::path& file);

// The tensors of a (nested) dict as a flat state dict. `key_path` walks dict keys separated by
// '/', e.g. "g_ema" or "state_dict"; empty means the root. Nested dicts below are flattened
// with '.' (as module state_dicts are). Non-tensor leaves are skipped. Throws ModelFileError
// naming `file` when the path is missing or is not a dict.
StateDict state_dict_at(const PickleValue& root, std::string_view key_path,
                        const std::filesystem::path& file);

// Convenience: load_checkpoint + state_dict_at.
StateDict load_state_dict(const std::filesystem::path& file, std::string_view key_path = {});

}  // namespace deltaedit::io
