#pragma once
// Entry points of the model file readers over bytes already in memory (a mapped file or a
// buffer), used by the path-based functions, the fuzzer and `models inspect`.
#include <memory>

#include "core/io/file_bytes.h"
#include "core/io/pickle_value.h"
#include "core/io/state_dict.h"
#include "core/io/unpickler.h"

namespace deltaedit::io {

// torch.save zip or legacy bytes -> root value (tensors share `bytes` where aligned).
PickleValue load_checkpoint(std::shared_ptr<const FileBytes> bytes);

// torch.jit.save archive bytes -> parameters and buffers in state_dict() order.
StateDict load_torchscript_state_dict(std::shared_ptr<const FileBytes> bytes);

// The 1-D tensor of a storage whose `ref.numel` elements start at `p` (inside `bytes`): a view
// of the bytes kept alive by the tensor when `p` is aligned for the dtype, else a copy.
torch::Tensor storage_over(const std::shared_ptr<const FileBytes>& bytes, const uint8_t* p,
                           const StorageRef& ref);

}  // namespace deltaedit::io
