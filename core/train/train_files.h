#pragma once
// Small file helpers shared by the training tools: atomic text writes (temp file + rename, so an
// interrupted run never leaves a half-written file behind) and reads that fail with
// DataFileError naming the file.
#include <filesystem>
#include <string>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::train {

// Writes `text` to `file` atomically. Throws OutputConflict naming the file on IO errors.
void write_text_atomically(const std::filesystem::path& file, const std::string& text);

// Whole file. Throws DataFileError naming the file when it cannot be read.
std::string read_text_file(const std::filesystem::path& file);

// io::load_npy as float32, with `rank` dimensions (any sizes), all values finite. Throws
// DataFileError naming the file otherwise.
torch::Tensor load_float_array(const std::filesystem::path& file, int64_t rank);

// io::save_npy, failures reported as OutputConflict naming the file.
void save_float_array(const std::filesystem::path& file, const torch::Tensor& array);

// True when `dir` does not exist or is an empty directory.
bool is_missing_or_empty(const std::filesystem::path& dir);

}  // namespace deltaedit::train
