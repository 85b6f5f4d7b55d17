#pragma once
// Where each output goes: -o FILE for one photo, -o FOLDER (created) for several. Every target
// is checked before any work starts, so a batch never stops half-way on an existing file.
#include <filesystem>
#include <string>
#include <vector>

namespace deltaedit::cli {

std::vector<std::filesystem::path> output_paths(const std::vector<std::string>& inputs,
                                                const std::filesystem::path& output,
                                                const std::string& suffix, const std::string& extension,
                                                bool overwrite);

struct OutputExists : std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace deltaedit::cli
