#pragma once
// Locating the reference fixtures ($DELTAEDIT_FIXTURES, default ../shared/fixtures next to the
// checkout). Tests that need them skip with a message where they are absent.
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace deltaedit::testing {

// The fixture root, or an empty path when none is found.
std::filesystem::path fixtures_root();

// A file under the fixture root (not checked for existence).
std::filesystem::path fixture(const std::string& relative);

// Reads a fixture .npy (through our own reader).
torch::Tensor fixture_npy(const std::string& relative);

// Reads a whole text file (JSON fixtures, READMEs).
std::string read_text(const std::filesystem::path& path);

// A fresh empty directory under the build's temp area, removed by the OS eventually.
std::filesystem::path temp_dir(const std::string& tag);

}  // namespace deltaedit::testing

// Skips the current test when the fixtures are absent (CI always has them).
#define DELTAEDIT_REQUIRE_FIXTURES()                                                   \
  do {                                                                                 \
    if (::deltaedit::testing::fixtures_root().empty())                                 \
      GTEST_SKIP() << "reference fixtures not found: set DELTAEDIT_FIXTURES "          \
                      "(default ../shared/fixtures next to the checkout)";             \
  } while (0)
