#pragma once
// NumPy .npy files: header v1/v2/v3, C and Fortran order, float16/32/64, int32/64, uint8, bool,
// 0-d and empty arrays; big-endian data is byte-swapped. Returned tensors are C-contiguous.
#include <filesystem>

#include <torch/torch.h>

namespace deltaedit::io {

// Throws ModelFileError naming the file and the problem.
torch::Tensor load_npy(const std::filesystem::path& file);

// Writes a (made contiguous, moved to CPU) tensor as a v1 .npy file, atomically.
void save_npy(const std::filesystem::path& file, const torch::Tensor& tensor);

}  // namespace deltaedit::io
