#include "tests/cli/run_cli.h"

#include <sys/wait.h>

#include <array>
#include <cstdio>

namespace deltaedit::testing {

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

CliRun run_cli(const std::vector<std::string>& args, const std::string& env, bool quiet) {
  std::string cmd = (env.empty() ? "" : env + " ") + shell_quote(DELTAEDIT_CLI);
  for (const auto& a : args) cmd += " " + shell_quote(a);
  cmd += quiet ? " --quiet 2>&1" : " 2>&1";
  CliRun r;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf;
  while (size_t n = std::fread(buf.data(), 1, buf.size(), p)) r.output.append(buf.data(), n);
  const int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace deltaedit::testing
