#include "app/cli/output_paths.h"

#include <set>

#include "app/cli/cli_args.h"

namespace deltaedit::cli {

namespace fs = std::filesystem;

std::vector<fs::path> output_paths(const std::vector<std::string>& inputs, const fs::path& output,
                                   const std::string& suffix, const std::string& extension,
                                   bool overwrite) {
  if (output.empty()) throw UsageError("an output is required: -o FILE (or -o FOLDER for several photos)");
  std::vector<fs::path> out;
  const bool folder = inputs.size() > 1 || fs::is_directory(output);
  for (const auto& in : inputs)
    out.push_back(folder ? output / (fs::path(in).stem().string() + suffix + extension) : output);
  std::set<fs::path> seen;
  for (const auto& p : out) {
    if (!seen.insert(p).second)
      throw UsageError("two photos would be written to the same file " + p.string() +
                       " (photos with the same name in different folders?)");
    if (!overwrite && fs::exists(p))
      throw OutputExists(p.string() + ": exists; nothing was written (use --overwrite to replace it)");
  }
  if (folder) fs::create_directories(output);
  return out;
}

}  // namespace deltaedit::cli
