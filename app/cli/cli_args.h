#pragma once
// Command-line parsing for `deltaedit`: subcommand, positional arguments and options.
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace deltaedit::cli {

class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ParsedArgs {
  std::vector<std::string> words;                         // subcommand words + positionals
  std::map<std::string, std::vector<std::string>> values; // --opt value (repeatable)
  std::vector<std::string> flags;                         // --flag

  bool flag(const std::string& name) const;
  std::optional<std::string> value(const std::string& name) const;  // last occurrence
  std::vector<std::string> all(const std::string& name) const;
  double number(const std::string& name, double fallback) const;
  int integer(const std::string& name, int fallback) const;
};

// --name as an integer >= minimum (`fallback` when absent); UsageError otherwise.
int64_t integer_option(const ParsedArgs& args, const std::string& name, int64_t fallback,
                       int64_t minimum);
// --name as a loss weight, a number in [0, 1e6] (`fallback` when absent); UsageError otherwise.
double weight_option(const ParsedArgs& args, const std::string& name, double fallback);
// --init FILE, a file to fine-tune from (an empty path when absent); UsageError naming it as
// "no <what> file" when it is not a file.
std::filesystem::path init_file_option(const ParsedArgs& args, const std::string& what);
// --seed as a non-negative 64-bit integer (0 when absent); UsageError otherwise.
uint64_t seed_option(const ParsedArgs& args);

// `value_options` take an argument ("--target X" or "--target=X"); `flag_options` don't.
// Anything else starting with "--" is a UsageError.
ParsedArgs parse_args(int argc, char** argv, const std::vector<std::string>& value_options,
                      const std::vector<std::string>& flag_options);

}  // namespace deltaedit::cli
