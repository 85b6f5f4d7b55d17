#pragma once
// Which BLAS the process really calls. Debian's LibTorch goes through the libblas.so.3
// alternative; when that is the reference (netlib) implementation every linear layer is
// 10-20x slower, so the programs warn at start-up.
#include <string>

namespace deltaedit::nets {

struct BlasInfo {
  std::string library;   // resolved path of the loaded BLAS library ("" if none found)
  std::string name;      // "OpenBLAS", "MKL", "BLIS", "reference (netlib)", "unknown"
  bool is_reference = false;
};

BlasInfo active_blas();

// A one-line warning when the reference BLAS is active, else "".
std::string blas_warning();

}  // namespace deltaedit::nets
