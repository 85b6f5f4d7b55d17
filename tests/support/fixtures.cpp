#include "tests/support/fixtures.h"

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <unistd.h>

#include "core/io/npy.h"

namespace deltaedit::testing {

std::filesystem::path fixtures_root() {
  namespace fs = std::filesystem;
  if (const char* env = std::getenv("DELTAEDIT_FIXTURES"); env && *env) {
    fs::path p(env);
    return fs::is_directory(p) ? p : fs::path{};
  }
  // Default: ../shared/fixtures next to the checkout.
  fs::path p = fs::path(DELTAEDIT_SOURCE_DIR).parent_path() / "shared" / "fixtures";
  return fs::is_directory(p) ? p : fs::path{};
}

std::filesystem::path fixture(const std::string& relative) { return fixtures_root() / relative; }

torch::Tensor fixture_npy(const std::string& relative) {
  return deltaedit::io::load_npy(fixture(relative));
}

std::string read_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::filesystem::path temp_dir(const std::string& tag) {
  namespace fs = std::filesystem;
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string name = tag;
  if (info) name += std::string("_") + info->test_suite_name() + "_" + info->name();
  fs::path p = fs::temp_directory_path() / ("deltaedit_test_" + std::to_string(::getpid())) / name;
  fs::remove_all(p);
  fs::create_directories(p);
  return p;
}

}  // namespace deltaedit::testing
