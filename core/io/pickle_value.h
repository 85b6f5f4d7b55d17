#pragma once
// A value rebuilt from a (restricted) pickle: the plain containers and scalars a checkpoint
// holds, tensors, and opaque objects (TorchScript modules, argparse Namespaces) kept as
// class name + state. Nothing in here can execute code.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <torch/torch.h>

namespace deltaedit::io {

struct PickleValue {
  enum class Kind { None, Bool, Int, Float, String, Bytes, Tensor, List, Tuple, Dict, Object };

  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  double real = 0.0;
  std::string text;                                       // String, Bytes; class name of Object
  torch::Tensor tensor;                                   // Tensor
  bool is_parameter = false;                              // Tensor rebuilt as nn.Parameter
  std::vector<PickleValue> items;                         // List, Tuple; Object: constructor args
  std::vector<std::pair<PickleValue, PickleValue>> dict;  // Dict (in insertion order); Object: state

  bool is_none() const { return kind == Kind::None; }
  bool is_tensor() const { return kind == Kind::Tensor; }
  bool is_dict() const { return kind == Kind::Dict; }
  bool is_string() const { return kind == Kind::String; }

  // Dict (or Object state) lookup by string key; nullptr when absent or not a dict.
  const PickleValue* find(std::string_view key) const;

  // Human-readable kind name ("dict", "tensor", ...), for messages and `models inspect`.
  std::string kind_name() const;
};

}  // namespace deltaedit::io
