#include "core/train/train_files.h"

#include <unistd.h>

#include <fstream>
#include <sstream>

#include "core/io/model_file_error.h"
#include "core/io/npy.h"
#include "core/train/train_errors.h"

namespace deltaedit::train {

namespace fs = std::filesystem;

void write_text_atomically(const fs::path& file, const std::string& text) {
  const fs::path tmp = file.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    out.flush();
    if (!out) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw OutputConflict(file, "cannot be written");
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw OutputConflict(file, "cannot be written (" + ec.message() + ")");
  }
}

std::string read_text_file(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw DataFileError(file, fs::exists(file) ? "cannot be read" : "does not exist");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

torch::Tensor load_float_array(const fs::path& file, int64_t rank) {
  if (!fs::exists(file)) throw DataFileError(file, "does not exist");
  torch::Tensor a;
  try {
    a = io::load_npy(file);
  } catch (const io::ModelFileError& e) {
    throw DataFileError(file, e.problem());
  }
  if (a.scalar_type() != torch::kFloat32)
    throw DataFileError(
        file, std::string("holds ") + c10::toString(a.scalar_type()) + " values, expected float32");
  if (a.dim() != rank)
    throw DataFileError(file, "has shape " + c10::str(a.sizes()) + ", expected " +
                                  std::to_string(rank) + " dimensions");
  if (a.numel() > 0 && !torch::isfinite(a).all().item<bool>())
    throw DataFileError(file, "holds non-finite values (NaN or infinity)");
  return a;
}

void save_float_array(const fs::path& file, const torch::Tensor& array) {
  try {
    io::save_npy(file, array.to(torch::kCPU, torch::kFloat32).contiguous());
  } catch (const io::ModelFileError& e) {
    throw OutputConflict(file, e.problem());
  }
}

bool is_missing_or_empty(const fs::path& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) return true;
  return fs::is_directory(dir, ec) && fs::directory_iterator(dir, ec) == fs::directory_iterator();
}

}  // namespace deltaedit::train
