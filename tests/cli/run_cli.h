#pragma once
// Runs the deltaedit program built with the tests (DELTAEDIT_CLI) as a user would, through the
// shell, and collects its exit code and output.
#include <string>
#include <vector>

namespace deltaedit::testing {

struct CliRun {
  int code = -1;       // exit status, -1 when it did not exit normally
  std::string output;  // stdout + stderr
};

// Single-quoted for the shell.
std::string shell_quote(const std::string& s);

// `env` is prepended to the command line (e.g. "DELTAEDIT_THREADS=1"); `quiet` adds --quiet.
CliRun run_cli(const std::vector<std::string>& args, const std::string& env = "", bool quiet = true);

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

}  // namespace deltaedit::testing
