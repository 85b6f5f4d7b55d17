#pragma once
// Just enough JSON reading for the fixture files these tests use (flat keys, arrays of numbers
// or strings, manifests of {name, shape} entries). Throws std::runtime_error on anything else.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace deltaedit::testing::mini_json {

inline size_t skip_ws(const std::string& t, size_t p) {
  while (p < t.size() && (t[p] == ' ' || t[p] == '\n' || t[p] == '\r' || t[p] == '\t')) ++p;
  return p;
}

// Position just after `"key":` (first occurrence at or after `from`).
inline size_t after_key(const std::string& t, const std::string& key, size_t from = 0) {
  const size_t k = t.find("\"" + key + "\"", from);
  if (k == std::string::npos) throw std::runtime_error("JSON key '" + key + "' not found");
  const size_t colon = skip_ws(t, k + key.size() + 2);
  if (colon >= t.size() || t[colon] != ':') throw std::runtime_error("JSON: no ':' after " + key);
  return skip_ws(t, colon + 1);
}

// Parses a string literal starting at t[p] == '"'; `p` ends after the closing quote.
inline std::string parse_string(const std::string& t, size_t& p) {
  if (t[p] != '"') throw std::runtime_error("JSON: string expected");
  std::string out;
  for (++p; p < t.size() && t[p] != '"'; ++p) {
    if (t[p] != '\\') {
      out += t[p];
      continue;
    }
    const char e = t[++p];
    if (e == 'n')
      out += '\n';
    else if (e == 't')
      out += '\t';
    else if (e == 'u')
      throw std::runtime_error("JSON: \\u escapes not supported here");
    else
      out += e;  // \" \\ \/
  }
  ++p;
  return out;
}

inline std::vector<double> parse_number_array(const std::string& t, size_t& p) {
  if (t[p] != '[') throw std::runtime_error("JSON: array expected");
  std::vector<double> out;
  p = skip_ws(t, p + 1);
  while (t[p] != ']') {
    size_t used = 0;
    out.push_back(std::stod(t.substr(p, 40), &used));
    p = skip_ws(t, p + used);
    if (t[p] == ',') p = skip_ws(t, p + 1);
  }
  ++p;
  return out;
}

inline std::vector<std::string> parse_string_array(const std::string& t, size_t& p) {
  if (t[p] != '[') throw std::runtime_error("JSON: array expected");
  std::vector<std::string> out;
  p = skip_ws(t, p + 1);
  while (t[p] != ']') {
    out.push_back(parse_string(t, p));
    p = skip_ws(t, p);
    if (t[p] == ',') p = skip_ws(t, p + 1);
  }
  ++p;
  return out;
}

inline double number(const std::string& t, const std::string& key) {
  return std::stod(t.substr(after_key(t, key), 40));
}

inline std::string string_value(const std::string& t, const std::string& key, size_t from = 0) {
  size_t p = after_key(t, key, from);
  return parse_string(t, p);
}

inline std::vector<int64_t> int_array(const std::string& t, const std::string& key) {
  size_t p = after_key(t, key);
  std::vector<int64_t> out;
  for (double d : parse_number_array(t, p)) out.push_back(static_cast<int64_t>(d));
  return out;
}

inline std::vector<double> number_array(const std::string& t, const std::string& key) {
  size_t p = after_key(t, key);
  return parse_number_array(t, p);
}

// A top-level array of strings (key empty) or the string array under `key`.
inline std::vector<std::string> string_array(const std::string& t, const std::string& key = {}) {
  size_t p = key.empty() ? skip_ws(t, 0) : after_key(t, key);
  return parse_string_array(t, p);
}

// Every {"name": ..., "shape": [...]} entry of a manifest, in file order.
inline std::vector<std::pair<std::string, std::vector<int64_t>>> manifest_entries(
    const std::string& t) {
  std::vector<std::pair<std::string, std::vector<int64_t>>> out;
  size_t from = t.find("\"state_dict\"");
  while (true) {
    const size_t k = t.find("\"name\"", from);
    if (k == std::string::npos) break;
    size_t p = after_key(t, "name", k);
    std::string name = parse_string(t, p);
    p = after_key(t, "shape", p);
    std::vector<int64_t> shape;
    for (double d : parse_number_array(t, p)) shape.push_back(static_cast<int64_t>(d));
    out.emplace_back(std::move(name), std::move(shape));
    from = p;
  }
  return out;
}

}  // namespace deltaedit::testing::mini_json
