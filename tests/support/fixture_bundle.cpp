#include "tests/support/fixture_bundle.h"

#include <fstream>
#include <stdexcept>
#include <utility>
#include <vector>

#include "tests/support/fixtures.h"

namespace deltaedit::testing {

std::filesystem::path make_fixture_model_bundle(const std::filesystem::path& dir) {
  namespace fs = std::filesystem;
  const std::vector<std::pair<std::string, std::pair<std::string, std::string>>> files = {
      {"generator", {"generator.pt", "stylegan2/generator.pt"}},
      {"e4e", {"e4e.pt", "e4e/e4e.pt"}},
      {"mapper", {"mapper.pt", "mapper/mapper.pt"}},
      {"clip", {"clip.pt", "clip/clip_jit.pt"}},
      {"clip_vocab", {"bpe_simple_vocab_16e6.txt.gz", "clip/bpe_simple_vocab_16e6.txt.gz"}},
      {"fs3", {"fs3.npy", "pipeline/fs3.npy"}},
  };
  fs::create_directories(dir);
  std::string manifest = "{\"bundle\": \"fixtures\", \"files\": [\n";
  for (size_t i = 0; i < files.size(); ++i) {
    const auto& [role, names] = files[i];
    const fs::path link = dir / names.first;
    const fs::path target = fixture(names.second);
    if (!fs::exists(target)) throw std::runtime_error("fixture missing: " + target.string());
    fs::remove(link);
    fs::create_symlink(fs::absolute(target), link);
    manifest += "  {\"role\": \"" + role + "\", \"file\": \"" + names.first + "\"}";
    manifest += i + 1 < files.size() ? ",\n" : "\n";
  }
  manifest += "]}\n";
  std::ofstream(dir / "manifest.json") << manifest;
  return dir;
}

}  // namespace deltaedit::testing
