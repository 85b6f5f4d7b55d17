#include <gtest/gtest.h>
#include <torch/torch.h>

#include "core/nets/common/blas_check.h"

namespace {

TEST(BlasCheck, FindsTheLibraryLibTorchCalls) {
  // Make sure LibTorch has actually called into BLAS (and so loaded it).
  auto a = torch::ones({64, 64});
  auto c = torch::mm(a, a);
  EXPECT_FLOAT_EQ(c[0][0].item<float>(), 64.0f);
  const auto b = deltaedit::nets::active_blas();
  std::cout << "BLAS in use: " << b.name << " (" << b.library << ")\n";
  if (b.library.empty()) GTEST_SKIP() << "no shared BLAS loaded (statically linked LibTorch)";
  EXPECT_EQ(b.is_reference, b.name == "reference (netlib)");
  EXPECT_EQ(deltaedit::nets::blas_warning().empty(), !b.is_reference);
}

TEST(BlasCheck, SetUpMadeTheOptimizedBlasActive) {
  // packaging/install-deps.sh points libblas.so.3 at OpenBLAS; the reference BLAS here means
  // set-up was skipped or undone, and every benchmark would be off by 10x.
  torch::mm(torch::ones({8, 8}), torch::ones({8, 8}));
  const auto b = deltaedit::nets::active_blas();
  if (b.library.empty()) GTEST_SKIP() << "no shared BLAS loaded";
  EXPECT_FALSE(b.is_reference) << deltaedit::nets::blas_warning();
}

}  // namespace
