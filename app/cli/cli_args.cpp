#include "app/cli/cli_args.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace deltaedit::cli {

bool ParsedArgs::flag(const std::string& name) const {
  return std::find(flags.begin(), flags.end(), name) != flags.end();
}

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
  auto it = values.find(name);
  if (it == values.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::all(const std::string& name) const {
  auto it = values.find(name);
  return it == values.end() ? std::vector<std::string>{} : it->second;
}

double ParsedArgs::number(const std::string& name, double fallback) const {
  auto v = value(name);
  if (!v) return fallback;
  char* end = nullptr;
  double d = std::strtod(v->c_str(), &end);
  if (end == v->c_str() || *end != '\0') throw UsageError("--" + name + ": '" + *v + "' is not a number");
  return d;
}

int ParsedArgs::integer(const std::string& name, int fallback) const {
  auto v = value(name);
  if (!v) return fallback;
  char* end = nullptr;
  long d = std::strtol(v->c_str(), &end, 10);
  if (end == v->c_str() || *end != '\0') throw UsageError("--" + name + ": '" + *v + "' is not an integer");
  return static_cast<int>(d);
}

ParsedArgs parse_args(int argc, char** argv, const std::vector<std::string>& value_options,
                      const std::vector<std::string>& flag_options) {
  auto known = [](const std::vector<std::string>& list, const std::string& s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  ParsedArgs out;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      for (++i; i < argc; ++i) out.words.push_back(argv[i]);
      break;
    }
    if (a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), val;
      bool inline_value = false;
      if (auto eq = name.find('='); eq != std::string::npos) {
        val = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      if (known(value_options, name)) {
        if (!inline_value) {
          if (i + 1 >= argc) throw UsageError("--" + name + " needs a value");
          val = argv[++i];
        }
        out.values[name].push_back(val);
      } else if (known(flag_options, name) && !inline_value) {
        out.flags.push_back(name);
      } else {
        throw UsageError("unknown option --" + name + " (see deltaedit --help)");
      }
    } else if (a == "-o") {
      if (i + 1 >= argc) throw UsageError("-o needs a value");
      out.values["output"].push_back(argv[++i]);
    } else if (a == "-h") {
      out.flags.push_back("help");
    } else {
      out.words.push_back(a);
    }
  }
  return out;
}

int64_t integer_option(const ParsedArgs& args, const std::string& name, int64_t fallback,
                       int64_t minimum) {
  const double v = args.number(name, static_cast<double>(fallback));
  if (v != std::floor(v) || v < static_cast<double>(minimum) || v > 9.0e15)
    throw UsageError("--" + name + " must be an integer >= " + std::to_string(minimum));
  return static_cast<int64_t>(v);
}

double weight_option(const ParsedArgs& args, const std::string& name, double fallback) {
  const double v = args.number(name, fallback);
  if (!(v >= 0) || v > 1e6) throw UsageError("--" + name + " must be between 0 and 1e6");
  return v;
}

std::filesystem::path init_file_option(const ParsedArgs& args, const std::string& what) {
  const auto init = args.value("init");
  if (!init) return {};
  if (init->empty() || !std::filesystem::is_regular_file(*init))
    throw UsageError("--init: no " + what + " file '" + *init + "'");
  return *init;
}

uint64_t seed_option(const ParsedArgs& args) {
  const auto v = args.value("seed");
  if (!v) return 0;
  size_t used = 0;
  try {
    const unsigned long long s = std::stoull(*v, &used);
    if (used == v->size() && (*v)[0] != '-') return s;
  } catch (const std::exception&) {
  }
  throw UsageError("--seed must be a non-negative integer");
}

}  // namespace deltaedit::cli
