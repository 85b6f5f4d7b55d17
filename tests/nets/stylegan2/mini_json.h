#pragma once
// Just enough JSON for reading the fixture descriptions (config.json, manifests) in tests:
// objects, arrays, strings (simple escapes), numbers, true/false/null. Throws on bad input.
#include <cctype>
#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace deltaedit::testing {

struct Json {
  enum class Kind { Null, Bool, Number, String, Array, Object } kind = Kind::Null;
  bool boolean = false;
  double number = 0;
  std::string text;
  std::vector<Json> items;
  std::vector<std::pair<std::string, Json>> members;

  const Json& operator[](const std::string& key) const {
    for (const auto& [k, v] : members)
      if (k == key) return v;
    throw std::out_of_range("json: no key '" + key + "'");
  }
  const Json& operator[](size_t i) const { return items.at(i); }
  int64_t as_int() const { return static_cast<int64_t>(number); }
  std::vector<int64_t> as_ints() const {
    std::vector<int64_t> out;
    for (const auto& v : items) out.push_back(v.as_int());
    return out;
  }

  static Json parse(const std::string& s) {
    size_t i = 0;
    Json v = parse_value(s, i);
    skip_ws(s, i);
    if (i != s.size()) throw std::runtime_error("json: trailing characters");
    return v;
  }

 private:
  static void skip_ws(const std::string& s, size_t& i) {
    while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  }
  static void expect(const std::string& s, size_t& i, char c) {
    skip_ws(s, i);
    if (i >= s.size() || s[i] != c) throw std::runtime_error(std::string("json: expected ") + c);
    ++i;
  }
  static std::string parse_string(const std::string& s, size_t& i) {
    expect(s, i, '"');
    std::string out;
    while (i < s.size() && s[i] != '"') {
      if (s[i] == '\\') {
        ++i;
        if (i >= s.size()) break;
        const char e = s[i];
        out += e == 'n' ? '\n' : e == 't' ? '\t' : e;  // \uXXXX is not needed by these files
      } else {
        out += s[i];
      }
      ++i;
    }
    expect(s, i, '"');
    return out;
  }
  static Json parse_value(const std::string& s, size_t& i) {
    skip_ws(s, i);
    if (i >= s.size()) throw std::runtime_error("json: unexpected end");
    Json v;
    const char c = s[i];
    if (c == '{') {
      v.kind = Kind::Object;
      ++i;
      skip_ws(s, i);
      if (s[i] == '}') return ++i, v;
      while (true) {
        std::string key = parse_string(s, i);
        expect(s, i, ':');
        v.members.emplace_back(std::move(key), parse_value(s, i));
        skip_ws(s, i);
        if (s[i] == ',') {
          ++i;
          continue;
        }
        expect(s, i, '}');
        return v;
      }
    }
    if (c == '[') {
      v.kind = Kind::Array;
      ++i;
      skip_ws(s, i);
      if (s[i] == ']') return ++i, v;
      while (true) {
        v.items.push_back(parse_value(s, i));
        skip_ws(s, i);
        if (s[i] == ',') {
          ++i;
          continue;
        }
        expect(s, i, ']');
        return v;
      }
    }
    if (c == '"') {
      v.kind = Kind::String;
      v.text = parse_string(s, i);
      return v;
    }
    if (s.compare(i, 4, "true") == 0) return i += 4, v.kind = Kind::Bool, v.boolean = true, v;
    if (s.compare(i, 5, "false") == 0) return i += 5, v.kind = Kind::Bool, v;
    if (s.compare(i, 4, "null") == 0) return i += 4, v;
    size_t used = 0;
    v.kind = Kind::Number;
    v.number = std::stod(s.substr(i, 64), &used);
    i += used;
    return v;
  }
};

}  // namespace deltaedit::testing
