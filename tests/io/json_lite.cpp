#include "tests/io/json_lite.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace deltaedit::testing {
namespace {

struct Parser {
  std::string_view s;
  std::size_t i = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw std::runtime_error("JSON: " + what + " at byte " + std::to_string(i));
  }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  bool word(std::string_view w) {
    if (s.substr(i, w.size()) != w) return false;
    i += w.size();
    return true;
  }
  static void utf8(std::string& out, uint32_t cp) {
    if (cp < 0x80) {
      out += static_cast<char>(cp);
    } else if (cp < 0x800) {
      out += static_cast<char>(0xC0 | (cp >> 6));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out += static_cast<char>(0xE0 | (cp >> 12));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    } else {
      out += static_cast<char>(0xF0 | (cp >> 18));
      out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
      out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
      out += static_cast<char>(0x80 | (cp & 0x3F));
    }
  }
  uint32_t hex4() {
    if (i + 4 > s.size()) fail("short \\u escape");
    uint32_t v = 0;
    const auto r = std::from_chars(s.data() + i, s.data() + i + 4, v, 16);
    if (r.ptr != s.data() + i + 4) fail("bad \\u escape");
    i += 4;
    return v;
  }
  std::string string() {
    expect('"');
    std::string out;
    while (true) {
      if (i >= s.size()) fail("unterminated string");
      const char c = s[i++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) fail("unterminated escape");
      const char e = s[i++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp = hex4();
          if (cp >= 0xD800 && cp < 0xDC00 && word("\\u")) {
            const uint32_t lo = hex4();
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
          }
          utf8(out, cp);
          break;
        }
        default: fail("bad escape");
      }
    }
  }
  Json value(int depth) {
    if (depth > 200) fail("nested too deeply");
    ws();
    if (i >= s.size()) fail("unexpected end");
    Json v;
    const char c = s[i];
    if (c == '{') {
      ++i;
      v.type = Json::Type::Object;
      if (eat('}')) return v;
      do {
        ws();
        std::string k = string();
        expect(':');
        v.object.emplace_back(std::move(k), value(depth + 1));
      } while (eat(','));
      expect('}');
    } else if (c == '[') {
      ++i;
      v.type = Json::Type::Array;
      if (eat(']')) return v;
      do v.array.push_back(value(depth + 1));
      while (eat(','));
      expect(']');
    } else if (c == '"') {
      v.type = Json::Type::String;
      v.string = string();
    } else if (word("true")) {
      v.type = Json::Type::Bool;
      v.boolean = true;
    } else if (word("false")) {
      v.type = Json::Type::Bool;
    } else if (word("null")) {
    } else if (word("NaN")) {
      v.type = Json::Type::Number;
      v.number = std::nan("");
    } else if (word("Infinity")) {
      v.type = Json::Type::Number;
      v.number = INFINITY;
    } else if (word("-Infinity")) {
      v.type = Json::Type::Number;
      v.number = -INFINITY;
    } else {
      const std::size_t start = i;
      while (i < s.size() && std::string_view("+-0123456789.eE").find(s[i]) != std::string_view::npos)
        ++i;
      if (start == i) fail("unexpected character");
      const std::string num(s.substr(start, i - start));
      char* end = nullptr;
      v.type = Json::Type::Number;
      v.number = std::strtod(num.c_str(), &end);
      if (end != num.c_str() + num.size()) fail("bad number");
    }
    return v;
  }
};

}  // namespace

const Json* Json::find(std::string_view key) const {
  for (const auto& [k, v] : object)
    if (k == key) return &v;
  return nullptr;
}

const Json& Json::operator[](std::string_view key) const {
  if (const Json* v = find(key)) return *v;
  throw std::out_of_range("JSON: no key '" + std::string(key) + "'");
}

const Json& Json::operator[](std::size_t index) const {
  if (type != Type::Array || index >= array.size())
    throw std::out_of_range("JSON: no index " + std::to_string(index));
  return array[index];
}

double Json::num() const {
  if (type == Type::Bool) return boolean ? 1.0 : 0.0;
  if (type != Type::Number) throw std::runtime_error("JSON: not a number");
  return number;
}

const std::string& Json::str() const {
  if (type != Type::String) throw std::runtime_error("JSON: not a string");
  return string;
}

std::vector<double> Json::numbers() const {
  std::vector<double> out;
  for (const auto& v : array) out.push_back(v.num());
  return out;
}

std::vector<int64_t> Json::ints() const {
  std::vector<int64_t> out;
  for (const auto& v : array) out.push_back(static_cast<int64_t>(v.num()));
  return out;
}

std::vector<std::string> Json::strings() const {
  std::vector<std::string> out;
  for (const auto& v : array) out.push_back(v.str());
  return out;
}

Json parse_json(std::string_view text) {
  Parser p{text};
  Json v = p.value(0);
  p.ws();
  if (p.i != text.size()) p.fail("trailing characters");
  return v;
}

Json read_json(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_json(ss.str());
}

}  // namespace deltaedit::testing
