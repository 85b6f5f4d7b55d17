#include "core/nets/common/blas_check.h"

#include <link.h>

#include <filesystem>
#include <string_view>
#include <vector>

namespace deltaedit::nets {
namespace {

int collect(struct dl_phdr_info* info, size_t, void* out) {
  if (info->dlpi_name && *info->dlpi_name)
    static_cast<std::vector<std::string>*>(out)->push_back(info->dlpi_name);
  return 0;
}

bool contains(std::string_view s, std::string_view part) { return s.find(part) != s.npos; }

}  // namespace

BlasInfo active_blas() {
  std::vector<std::string> libs;
  dl_iterate_phdr(collect, &libs);
  BlasInfo info;
  for (const auto& lib : libs) {
    std::error_code ec;
    const std::string real = std::filesystem::weakly_canonical(lib, ec).string();
    const std::string file = std::filesystem::path(real).filename().string();
    std::string name;
    if (contains(file, "openblas") || contains(real, "/openblas")) name = "OpenBLAS";
    else if (contains(file, "mkl_rt") || contains(file, "mkl_core")) name = "MKL";
    else if (contains(file, "blis")) name = "BLIS";
    else if (contains(file, "libblas.so")) name = "reference (netlib)";
    else continue;
    // An optimized library wins over a reference one loaded beside it.
    if (info.library.empty() || info.is_reference) {
      info.library = real;
      info.name = name;
      info.is_reference = name == "reference (netlib)";
    }
  }
  if (info.library.empty()) info.name = "unknown";  // statically linked (official LibTorch: MKL)
  return info;
}

std::string blas_warning() {
  const BlasInfo b = active_blas();
  if (!b.is_reference) return {};
  return "warning: the reference BLAS (" + b.library +
         ") is active: networks will run 10-20x slower. Install OpenBLAS "
         "(packaging/install-deps.sh does) so that libblas.so.3 points to it.";
}

}  // namespace deltaedit::nets
