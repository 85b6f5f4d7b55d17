#include "core/io/model_inspect.h"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>
#include <unordered_set>

#include "core/io/checkpoint_bytes.h"
#include "core/io/model_file_error.h"
#include "core/io/npy.h"
#include "core/io/zip_archive.h"

namespace deltaedit::io {
namespace {

std::string human_bytes(uint64_t n) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(n);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}

// Shortest round-trip form, with Python's ".0" on integral values.
std::string float_text(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  std::string out(buf, r.ptr);
  if (out.find_first_of(".eni") == std::string::npos) out += ".0";
  return out;
}

std::string tensor_text(const torch::Tensor& t) {
  std::string shape = "[";
  for (int64_t i = 0; i < t.dim(); ++i) shape += (i ? ", " : "") + std::to_string(t.size(i));
  shape += "]";
  std::string out = dtype_name(t.scalar_type()) + " " + shape + "  " +
                    human_bytes(static_cast<uint64_t>(t.numel()) * t.element_size());
  if (t.numel() == 1) {
    const double v = t.to(torch::kDouble).item<double>();
    out += "  = " + (t.is_floating_point() ? float_text(v) : std::to_string(static_cast<int64_t>(v)));
  }
  return out;
}

struct Totals {
  uint64_t tensors = 0, elements = 0, bytes = 0;
  std::map<std::string, uint64_t> bytes_by_dtype;
  std::unordered_set<const void*> storages;
  uint64_t storage_bytes = 0;

  void add(const torch::Tensor& t) {
    ++tensors;
    elements += static_cast<uint64_t>(t.numel());
    const uint64_t b = static_cast<uint64_t>(t.numel()) * t.element_size();
    bytes += b;
    bytes_by_dtype[dtype_name(t.scalar_type())] += b;
    if (t.has_storage() && storages.insert(t.storage().data()).second)
      storage_bytes += t.storage().nbytes();
  }
  std::string text() const {
    std::string out = "totals: " + std::to_string(tensors) + " tensors, " +
                      std::to_string(elements) + " elements, " + human_bytes(bytes);
    if (storage_bytes != bytes) out += " (stored: " + human_bytes(storage_bytes) + ")";
    out += "\n";
    for (const auto& [d, b] : bytes_by_dtype) out += "  " + d + ": " + human_bytes(b) + "\n";
    return out;
  }
};

std::string scalar_text(const PickleValue& v) {
  switch (v.kind) {
    case PickleValue::Kind::None: return "None";
    case PickleValue::Kind::Bool: return v.boolean ? "True" : "False";
    case PickleValue::Kind::Int: return std::to_string(v.integer);
    case PickleValue::Kind::Float: return float_text(v.real);
    case PickleValue::Kind::String: return "'" + v.text + "'";
    case PickleValue::Kind::Bytes: return "<" + std::to_string(v.text.size()) + " bytes>";
    default: return {};
  }
}

bool is_scalar(const PickleValue& v) { return !scalar_text(v).empty(); }

std::string inline_text(const PickleValue& v, int budget = 8) {
  if (is_scalar(v)) return scalar_text(v);
  if (v.kind == PickleValue::Kind::List || v.kind == PickleValue::Kind::Tuple) {
    const bool list = v.kind == PickleValue::Kind::List;
    std::string out = list ? "[" : "(";
    for (std::size_t i = 0; i < v.items.size(); ++i) {
      if (static_cast<int>(i) == budget) {
        out += ", ... (" + std::to_string(v.items.size()) + " items)";
        break;
      }
      out += (i ? ", " : "") + inline_text(v.items[i], 4);
    }
    if (!list && v.items.size() == 1) out += ",";
    return out + (list ? "]" : ")");
  }
  if (v.is_tensor()) return tensor_text(v.tensor);
  return "<" + v.kind_name() + ">";
}

void tree(const PickleValue& v, const std::string& indent, std::ostringstream& out, Totals& totals,
          int depth) {
  if (depth > 64) {
    out << indent << "...\n";
    return;
  }
  for (const auto& [k, x] : v.dict) {
    const std::string key = k.is_string() ? k.text : inline_text(k);
    if (x.is_tensor()) {
      totals.add(x.tensor);
      out << indent << key << ": " << tensor_text(x.tensor) << (x.is_parameter ? "  (Parameter)" : "")
          << "\n";
    } else if (x.is_dict() || x.kind == PickleValue::Kind::Object) {
      out << indent << key << ": " << (x.is_dict() ? "dict" : x.text) << " (" << x.dict.size()
          << " entries)\n";
      tree(x, indent + "  ", out, totals, depth + 1);
    } else {
      out << indent << key << ": " << inline_text(x) << "\n";
      for (const auto& item : x.items)
        if (item.is_tensor()) totals.add(item.tensor);
    }
  }
}

}  // namespace

std::string describe_model_file(const std::filesystem::path& file) {
  const auto bytes = FileBytes::map(file);
  const auto b = bytes->span();
  std::ostringstream out;
  out << file.string() << ": ";
  if (b.size() >= 6 && std::memcmp(b.data(), "\x93NUMPY", 6) == 0) {
    const torch::Tensor t = load_npy(file);
    out << "NumPy array, " << human_bytes(b.size()) << "\n  " << tensor_text(t) << "\n";
    return out.str();
  }
  if (ZipArchive::looks_like_zip(b)) {
    const ZipArchive zip(bytes);
    if (zip.has("constants.pkl")) {
      const StateDict sd = load_torchscript_state_dict(bytes);
      out << "TorchScript archive (folder '" << zip.prefix() << "'), " << human_bytes(b.size())
          << "\nstate_dict (" << sd.size() << " entries)\n";
      Totals totals;
      for (const auto& [name, t] : sd.entries()) {
        totals.add(t);
        out << "  " << name << ": " << tensor_text(t) << "\n";
      }
      out << totals.text();
      return out.str();
    }
    out << "PyTorch checkpoint (zip, folder '" << zip.prefix() << "'), " << human_bytes(b.size())
        << "\n";
  } else {
    out << "PyTorch checkpoint (legacy format), " << human_bytes(b.size()) << "\n";
  }
  const PickleValue root = load_checkpoint(bytes);
  Totals totals;
  if (root.is_dict() || root.kind == PickleValue::Kind::Object) {
    out << (root.is_dict() ? "dict" : root.text) << " (" << root.dict.size() << " entries)\n";
    tree(root, "  ", out, totals, 0);
  } else {
    out << inline_text(root) << "\n";
    if (root.is_tensor()) totals.add(root.tensor);
  }
  out << totals.text();
  return out.str();
}

std::string dtype_name(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat: return "float32";
    case torch::kHalf: return "float16";
    case torch::kBFloat16: return "bfloat16";
    case torch::kDouble: return "float64";
    case torch::kLong: return "int64";
    case torch::kInt: return "int32";
    case torch::kShort: return "int16";
    case torch::kChar: return "int8";
    case torch::kByte: return "uint8";
    case torch::kBool: return "bool";
    default: return std::string(c10::toString(t));
  }
}

}  // namespace deltaedit::io
