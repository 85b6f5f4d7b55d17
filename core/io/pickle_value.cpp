#include "core/io/pickle_value.h"

namespace deltaedit::io {

const PickleValue* PickleValue::find(std::string_view key) const {
  if (kind != Kind::Dict && kind != Kind::Object) return nullptr;
  for (const auto& [k, v] : dict)
    if (k.kind == Kind::String && k.text == key) return &v;
  return nullptr;
}

std::string PickleValue::kind_name() const {
  switch (kind) {
    case Kind::None: return "None";
    case Kind::Bool: return "bool";
    case Kind::Int: return "int";
    case Kind::Float: return "float";
    case Kind::String: return "str";
    case Kind::Bytes: return "bytes";
    case Kind::Tensor: return is_parameter ? "Parameter" : "tensor";
    case Kind::List: return "list";
    case Kind::Tuple: return "tuple";
    case Kind::Dict: return "dict";
    case Kind::Object: return text;
  }
  return "?";
}

}  // namespace deltaedit::io
