#include "tests/nets/clip/clip_test_util.h"

#include <regex>
#include <stdexcept>

#include "tests/support/fixtures.h"

namespace deltaedit::testing {
namespace {

std::vector<int64_t> parse_ints(const std::string& list) {
  std::vector<int64_t> out;
  static const std::regex number(R"(-?\d+)");
  for (std::sregex_iterator it(list.begin(), list.end(), number), end; it != end; ++it)
    out.push_back(std::stoll(it->str()));
  return out;
}

}  // namespace

nets::ClipModel& fixture_clip() {
  static nets::ClipModel net = nets::load_clip(fixture("clip/clip_jit.pt"), {}).net;
  return net;
}

std::vector<NamedShape> json_named_shapes(const std::string& json) {
  // Objects are {"name", ["dtype",] "shape", ["sum", ...]} with no nested objects in between.
  static const std::regex object(
      R"re(\{\s*"name":\s*"([^"]+)",(?:\s*"dtype":\s*"[^"]*",)?\s*"shape":\s*\[([^\]]*)\](?:,\s*"dtype":\s*"[^"]*")?(?:,\s*"sum":\s*([-0-9.eE+]+))?)re");
  std::vector<NamedShape> out;
  for (std::sregex_iterator it(json.begin(), json.end(), object), end; it != end; ++it) {
    NamedShape e{(*it)[1].str(), parse_ints((*it)[2].str())};
    if ((*it)[3].matched) e.sum = std::stod((*it)[3].str());
    out.push_back(std::move(e));
  }
  return out;
}

int64_t json_int(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\":\\s*(-?\\d+)")))
    throw std::runtime_error("no integer '" + key + "' in JSON");
  return std::stoll(m[1].str());
}

std::vector<int64_t> json_int_array(const std::string& json, const std::string& key) {
  std::smatch m;
  if (!std::regex_search(json, m, std::regex("\"" + key + "\":\\s*\\[([^\\]]*)\\]")))
    throw std::runtime_error("no array '" + key + "' in JSON");
  return parse_ints(m[1].str());
}

}  // namespace deltaedit::testing
