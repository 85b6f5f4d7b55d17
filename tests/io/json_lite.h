#pragma once
// A minimal JSON reader for test expectations: objects keep their key order, numbers are
// doubles. Throws std::runtime_error with the byte offset on malformed input.
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace deltaedit::testing {

struct Json {
  enum class Type { Null, Bool, Number, String, Array, Object };
  Type type = Type::Null;
  bool boolean = false;
  double number = 0.0;
  std::string string;
  std::vector<Json> array;
  std::vector<std::pair<std::string, Json>> object;  // in document order

  bool is_null() const { return type == Type::Null; }
  bool has(std::string_view key) const { return find(key) != nullptr; }
  const Json* find(std::string_view key) const;
  // Throws std::out_of_range naming the key / index.
  const Json& operator[](std::string_view key) const;
  const Json& operator[](std::size_t index) const;
  std::size_t size() const { return type == Type::Array ? array.size() : object.size(); }

  // Conveniences that throw on a type mismatch.
  double num() const;
  const std::string& str() const;
  std::vector<double> numbers() const;
  std::vector<int64_t> ints() const;
  std::vector<std::string> strings() const;
};

Json parse_json(std::string_view text);
Json read_json(const std::string& path);

}  // namespace deltaedit::testing
