#include "core/io/unpickler.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <deque>
#include <unordered_map>

#include "core/io/file_bytes.h"
#include "core/io/model_file_error.h"

namespace deltaedit::io {
namespace {

// What a pickle can build. Containers refer to other nodes by index, so memo references keep
// Python's sharing semantics (an OrderedDict memoized before its SETITEMS is the same object).
enum class NodeKind {
  None, Bool, Int, BigInt, Float, String, Bytes, List, Tuple, Dict, Set, Object, Global, Storage,
  Tensor
};

struct Node {
  NodeKind kind = NodeKind::None;
  int64_t integer = 0;  // Int, Bool; Storage: index into storages
  double real = 0.0;
  std::string text;  // String, Bytes, BigInt (raw LE bytes), Global name, Object class
  std::vector<uint32_t> items;  // List, Tuple, Set, Object args
  std::vector<std::pair<uint32_t, uint32_t>> dict;  // Dict, Object state
  // Storage: view into the storage (elements); Tensor: storage node, offset, size, stride.
  int64_t offset = 0;
  int64_t count = 0;
  uint32_t storage = 0;
  std::vector<int64_t> size, stride;
  bool parameter = false;
};

constexpr std::size_t kMaxDepth = 200;

struct StorageType {
  const char* name;
  torch::ScalarType dtype;
};
constexpr StorageType kStorageTypes[] = {
    {"FloatStorage", torch::kFloat},    {"DoubleStorage", torch::kDouble},
    {"HalfStorage", torch::kHalf},      {"BFloat16Storage", torch::kBFloat16},
    {"LongStorage", torch::kLong},      {"IntStorage", torch::kInt},
    {"ShortStorage", torch::kShort},    {"CharStorage", torch::kChar},
    {"ByteStorage", torch::kByte},      {"BoolStorage", torch::kBool},
    {"ComplexFloatStorage", torch::kComplexFloat},
    {"ComplexDoubleStorage", torch::kComplexDouble},
};

std::optional<torch::ScalarType> storage_dtype(std::string_view global) {
  for (const char* module : {"torch.", "torch.cuda."}) {
    const std::string_view m(module);
    if (global.substr(0, m.size()) != m) continue;
    const std::string_view rest = global.substr(m.size());
    for (const auto& t : kStorageTypes)
      if (rest == t.name) return t.dtype;
  }
  return std::nullopt;
}

// Globals that may appear; every one is interpreted by name below, none is ever called.
bool is_allowed_global(std::string_view name, bool torchscript) {
  static const char* const kAllowed[] = {
      "collections.OrderedDict",
      "torch._utils._rebuild_tensor",
      "torch._utils._rebuild_tensor_v2",
      "torch._utils._rebuild_parameter",
      "torch._utils._rebuild_parameter_with_state",
      "torch._tensor._rebuild_from_type_v2",
      "torch.Tensor",
      "torch.nn.parameter.Parameter",
      "torch.device",
      "torch.Size",
      "builtins.set",
      "builtins.frozenset",
      "builtins.object",
      "__builtin__.set",
      "__builtin__.frozenset",
      "__builtin__.object",
      "copyreg._reconstructor",
      "copy_reg._reconstructor",
      "argparse.Namespace",
  };
  for (const char* a : kAllowed)
    if (name == a) return true;
  if (storage_dtype(name)) return true;
  if (torchscript) {
    if (name.substr(0, 10) == "__torch__.") return true;
    static const char* const kJit[] = {
        "torch.jit._pickle.build_intlist",  "torch.jit._pickle.build_doublelist",
        "torch.jit._pickle.build_boollist", "torch.jit._pickle.build_tensorlist",
        "torch.jit._pickle.build_genericlist", "torch.jit._pickle.restore_type_tag",
    };
    for (const char* a : kJit)
      if (name == a) return true;
  }
  return false;
}

bool is_object_class(std::string_view name, bool torchscript) {
  return name == "argparse.Namespace" || (torchscript && name.substr(0, 10) == "__torch__.");
}

}  // namespace

struct Unpickler::Impl {
  std::filesystem::path file;
  std::string context;
  Options options;

  std::deque<Node> nodes;
  std::vector<uint32_t> stack;
  std::vector<std::size_t> marks;
  std::unordered_map<uint64_t, uint32_t> memo;
  std::vector<StorageRef> storages;
  std::unordered_map<std::string, uint32_t> storage_index;
  std::optional<uint32_t> root;

  const uint8_t* data = nullptr;
  std::size_t size = 0;
  std::size_t pos = 0;
  std::size_t op_pos = 0;

  [[noreturn]] void fail(const std::string& what) const {
    throw ModelFileError(file, context + ": " + what + " (at byte " + std::to_string(op_pos) + ")");
  }

  uint32_t add(Node n) {
    nodes.push_back(std::move(n));
    return static_cast<uint32_t>(nodes.size() - 1);
  }
  Node& at(uint32_t id) { return nodes[id]; }

  // ---- reading ----
  const uint8_t* take(std::size_t n) {
    if (n > size - pos) fail("truncated pickle (needs " + std::to_string(n) + " more bytes)");
    const uint8_t* p = data + pos;
    pos += n;
    return p;
  }
  template <typename T>
  T take_le() {
    return load_le<T>(take(sizeof(T)));
  }
  std::string_view take_line() {
    const void* nl = std::memchr(data + pos, '\n', size - pos);
    if (!nl) fail("truncated pickle (unterminated text argument)");
    const auto* p = static_cast<const uint8_t*>(nl);
    std::string_view line(reinterpret_cast<const char*>(data + pos), p - (data + pos));
    pos = static_cast<std::size_t>(p - data) + 1;
    return line;
  }
  std::string take_bytes(uint64_t n) {
    if (n > size - pos) fail("string length " + std::to_string(n) + " exceeds the pickle");
    const auto* p = take(static_cast<std::size_t>(n));
    return std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(n));
  }

  // ---- stack ----
  uint32_t pop() {
    if (stack.empty() || (!marks.empty() && stack.size() <= marks.back()))
      fail("pickle stack underflow");
    const uint32_t v = stack.back();
    stack.pop_back();
    return v;
  }
  uint32_t top() {
    if (stack.empty() || (!marks.empty() && stack.size() <= marks.back()))
      fail("pickle stack underflow");
    return stack.back();
  }
  std::vector<uint32_t> pop_mark() {
    if (marks.empty()) fail("pickle MARK expected");
    const std::size_t m = marks.back();
    marks.pop_back();
    std::vector<uint32_t> out(stack.begin() + static_cast<std::ptrdiff_t>(m), stack.end());
    stack.resize(m);
    return out;
  }
  void push(uint32_t id) { stack.push_back(id); }
  uint32_t push_new(Node n) {
    const uint32_t id = add(std::move(n));
    push(id);
    return id;
  }
  uint32_t memo_get(uint64_t index) {
    const auto it = memo.find(index);
    if (it == memo.end()) fail("memo index " + std::to_string(index) + " is not defined");
    return it->second;
  }
  void memo_put(uint64_t index) { memo[index] = top(); }

  // ---- typed access ----
  Node& expect(uint32_t id, NodeKind kind, const char* what) {
    Node& n = at(id);
    if (n.kind != kind) fail(std::string("malformed ") + what);
    return n;
  }
  int64_t expect_int(uint32_t id, const char* what) {
    const Node& n = at(id);
    if (n.kind == NodeKind::Int || n.kind == NodeKind::Bool) return n.integer;
    fail(std::string("malformed ") + what + " (not an integer)");
  }
  std::vector<int64_t> expect_int_tuple(uint32_t id, const char* what) {
    const Node& n = at(id);
    if (n.kind != NodeKind::Tuple && n.kind != NodeKind::List)
      fail(std::string("malformed ") + what + " (not a tuple)");
    std::vector<int64_t> out;
    out.reserve(n.items.size());
    for (uint32_t item : n.items) out.push_back(expect_int(item, what));
    return out;
  }
  const std::vector<uint32_t>& args_of(uint32_t id, std::size_t min_count, const char* what) {
    const Node& n = at(id);
    if (n.kind != NodeKind::Tuple) fail(std::string("arguments of ") + what + " are not a tuple");
    if (n.items.size() < min_count)
      fail(std::string(what) + " takes " + std::to_string(min_count) + " arguments, got " +
           std::to_string(n.items.size()));
    return n.items;
  }

  // ---- globals ----
  uint32_t make_global(std::string module, std::string name) {
    std::string full = module + "." + name;
    if (!is_allowed_global(full, options.torchscript))
      fail("refusing global '" + full +
           "': not in the allow-list of a model file reader (nothing was executed)");
    Node n;
    n.kind = NodeKind::Global;
    n.text = std::move(full);
    return add(std::move(n));
  }

  // ---- persistent ids: ('storage', type, key, location, numel[, view]) ----
  uint32_t persistent_load(uint32_t pid_id) {
    const Node pid = at(pid_id);
    if (pid.kind != NodeKind::Tuple || pid.items.size() < 5 ||
        at(pid.items[0]).kind != NodeKind::String || at(pid.items[0]).text != "storage")
      fail("unsupported persistent id (expected a ('storage', ...) tuple)");
    const Node& type = at(pid.items[1]);
    std::optional<torch::ScalarType> dtype;
    if (type.kind == NodeKind::Global) dtype = storage_dtype(type.text);
    if (!dtype) fail("persistent id names an unknown storage type");
    const Node& key_node = at(pid.items[2]);
    std::string key;
    if (key_node.kind == NodeKind::String)
      key = key_node.text;
    else if (key_node.kind == NodeKind::Int)
      key = std::to_string(key_node.integer);
    else
      fail("malformed storage key");
    const int64_t numel = expect_int(pid.items[4], "storage element count");
    const int64_t elem = static_cast<int64_t>(c10::elementSize(*dtype));
    if (numel < 0 || numel > INT64_MAX / elem)
      fail("storage '" + key + "' declares an impossible element count " + std::to_string(numel));

    uint32_t index;
    if (const auto it = storage_index.find(key); it != storage_index.end()) {
      index = it->second;
      if (storages[index].dtype != *dtype || storages[index].numel != numel)
        fail("storage '" + key + "' is declared twice with different types or sizes");
    } else {
      index = static_cast<uint32_t>(storages.size());
      storages.push_back(StorageRef{key, *dtype, numel, std::nullopt});
      storage_index.emplace(key, index);
    }
    Node s;
    s.kind = NodeKind::Storage;
    s.integer = index;
    s.offset = 0;
    s.count = numel;
    // Legacy views: (view_key, element offset, element count) into the root storage.
    if (pid.items.size() >= 6 && at(pid.items[5]).kind != NodeKind::None) {
      const Node& view = at(pid.items[5]);
      if (view.kind != NodeKind::Tuple || view.items.size() != 3) fail("malformed storage view");
      const int64_t off = expect_int(view.items[1], "storage view offset");
      const int64_t cnt = expect_int(view.items[2], "storage view size");
      if (off < 0 || cnt < 0 || off > numel || cnt > numel - off)
        fail("storage view of '" + key + "' lies outside its storage");
      s.offset = off;
      s.count = cnt;
    }
    return add(std::move(s));
  }

  // ---- tensors ----
  uint32_t rebuild_tensor(const std::vector<uint32_t>& a) {
    const Node& storage = expect(a[0], NodeKind::Storage, "tensor storage");
    Node t;
    t.kind = NodeKind::Tensor;
    t.storage = a[0];
    t.offset = expect_int(a[1], "tensor storage offset");
    t.size = expect_int_tuple(a[2], "tensor size");
    t.stride = expect_int_tuple(a[3], "tensor stride");
    const std::string& key = storages[static_cast<std::size_t>(storage.integer)].key;
    if (t.size.size() != t.stride.size())
      fail("tensor over storage '" + key + "' has " + std::to_string(t.size.size()) +
           " sizes but " + std::to_string(t.stride.size()) + " strides");
    if (t.offset < 0) fail("tensor over storage '" + key + "' has a negative offset");
    // Checked arithmetic: numel and the last element reached must both fit the storage.
    int64_t numel = 1, last = t.offset;
    bool overflow = false;
    for (std::size_t d = 0; d < t.size.size(); ++d) {
      if (t.size[d] < 0 || t.stride[d] < 0)
        fail("tensor over storage '" + key + "' has a negative size or stride");
      overflow |= __builtin_mul_overflow(numel, t.size[d], &numel);
    }
    if (overflow) fail("tensor over storage '" + key + "' has an absurd shape (numel overflows)");
    if (numel > 0) {
      for (std::size_t d = 0; d < t.size.size(); ++d) {
        int64_t span = 0;
        overflow |= __builtin_mul_overflow(t.size[d] - 1, t.stride[d], &span);
        overflow |= __builtin_add_overflow(last, span, &last);
      }
      if (overflow || last >= storage.count)
        fail("tensor of shape " + shape_text(t.size) + " (offset " + std::to_string(t.offset) +
             ") needs more elements than its storage '" + key + "' holds (" +
             std::to_string(storage.count) + ")");
    } else if (t.offset > storage.count) {
      fail("empty tensor offset lies beyond its storage '" + key + "'");
    }
    return add(std::move(t));
  }

  static std::string shape_text(const std::vector<int64_t>& s) {
    std::string out = "[";
    for (std::size_t i = 0; i < s.size(); ++i) out += (i ? ", " : "") + std::to_string(s[i]);
    return out + "]";
  }

  uint32_t as_parameter(uint32_t data) {
    Node t = expect(data, NodeKind::Tensor, "parameter data");
    t.parameter = true;
    return add(std::move(t));
  }

  uint32_t new_object(const std::string& cls, std::vector<uint32_t> args) {
    if (!is_object_class(cls, options.torchscript))
      fail("refusing to instantiate '" + cls + "' (not an allowed class)");
    Node o;
    o.kind = NodeKind::Object;
    o.text = cls;
    o.items = std::move(args);
    return add(std::move(o));
  }

  // REDUCE: interpret an allowed callable by name.
  uint32_t call(uint32_t callable, uint32_t args_id, std::size_t depth = 0) {
    if (depth > 4) fail("nested rebuild calls");
    const Node& c = at(callable);
    if (c.kind != NodeKind::Global) fail("REDUCE on something that is not an allowed callable");
    const std::string name = c.text;
    if (name == "collections.OrderedDict") {
      Node d;
      d.kind = NodeKind::Dict;
      const auto& a = args_of(args_id, 0, name.c_str());
      if (!a.empty()) {  // OrderedDict([(k, v), ...])
        const Node& pairs = at(a[0]);
        if (pairs.kind != NodeKind::List && pairs.kind != NodeKind::Tuple)
          fail("malformed OrderedDict arguments");
        for (uint32_t p : pairs.items) {
          const Node& kv = at(p);
          if (kv.kind != NodeKind::Tuple || kv.items.size() != 2)
            fail("malformed OrderedDict item");
          d.dict.emplace_back(kv.items[0], kv.items[1]);
        }
      }
      return add(std::move(d));
    }
    if (name == "torch._utils._rebuild_tensor_v2" || name == "torch._utils._rebuild_tensor")
      return rebuild_tensor(args_of(args_id, 4, name.c_str()));
    if (name == "torch._utils._rebuild_parameter" ||
        name == "torch._utils._rebuild_parameter_with_state")
      return as_parameter(args_of(args_id, 1, name.c_str())[0]);
    if (name == "torch._tensor._rebuild_from_type_v2") {
      const auto a = args_of(args_id, 3, name.c_str());
      const uint32_t t = call(a[0], a[2], depth + 1);
      const Node& type = at(a[1]);
      if (type.kind != NodeKind::Global ||
          (type.text != "torch.Tensor" && type.text != "torch.nn.parameter.Parameter"))
        fail("_rebuild_from_type_v2 with a type other than Tensor or Parameter");
      return type.text == "torch.Tensor" ? t : as_parameter(t);
    }
    if (name == "torch.device") {
      const auto& a = args_of(args_id, 1, name.c_str());
      Node s;
      s.kind = NodeKind::String;
      s.text = at(a[0]).text;
      return add(std::move(s));
    }
    if (name == "torch.Size") {
      Node t;
      t.kind = NodeKind::Tuple;
      const auto& a = args_of(args_id, 0, name.c_str());
      if (!a.empty()) t.items = at(a[0]).items;
      return add(std::move(t));
    }
    if (name.ends_with(".set") || name.ends_with(".frozenset")) {
      Node s;
      s.kind = NodeKind::Set;
      s.text = name.ends_with(".set") ? "set" : "frozenset";
      const auto& a = args_of(args_id, 0, name.c_str());
      if (!a.empty()) s.items = at(a[0]).items;
      return add(std::move(s));
    }
    if (name == "copyreg._reconstructor" || name == "copy_reg._reconstructor") {
      const auto& a = args_of(args_id, 1, name.c_str());
      const Node& cls = at(a[0]);
      if (cls.kind != NodeKind::Global) fail("malformed _reconstructor call");
      return new_object(cls.text, {});
    }
    if (name == "torch.jit._pickle.restore_type_tag")
      return args_of(args_id, 1, name.c_str())[0];
    if (name.starts_with("torch.jit._pickle.build_")) {
      const uint32_t list = args_of(args_id, 1, name.c_str())[0];
      if (at(list).kind != NodeKind::List) fail("malformed " + name + " argument");
      return list;
    }
    if (is_object_class(name, options.torchscript)) return new_object(name, at(args_id).items);
    fail("refusing to call '" + name + "' (it may only appear as a type)");
  }

  void build(uint32_t obj_id, uint32_t state_id) {
    Node& obj = at(obj_id);
    if (obj.kind == NodeKind::Dict || obj.kind == NodeKind::Tensor)
      return;  // OrderedDict._metadata, Parameter state: nothing a state dict needs
    if (obj.kind != NodeKind::Object) fail("BUILD on a " + std::string("non-object value"));
    const Node& state = at(state_id);
    const auto merge = [&](uint32_t id) {
      const Node& d = at(id);
      if (d.kind == NodeKind::None) return;
      if (d.kind != NodeKind::Dict) fail("BUILD state of '" + obj.text + "' is not a dict");
      for (const auto& kv : d.dict) at(obj_id).dict.push_back(kv);
    };
    if (state.kind == NodeKind::Tuple && state.items.size() == 2) {
      const auto items = state.items;
      merge(items[0]);
      merge(items[1]);
    } else {
      merge(state_id);
    }
  }

  static bool is_int_text(std::string_view s) {
    if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
    if (s.empty()) return false;
    for (char ch : s)
      if (ch < '0' || ch > '9') return false;
    return true;
  }

  uint32_t int_node(int64_t v) {
    Node n;
    n.kind = NodeKind::Int;
    n.integer = v;
    return add(std::move(n));
  }

  uint32_t long_node(const uint8_t* p, std::size_t n) {
    if (n == 0) return int_node(0);
    if (n <= 8) {
      uint64_t u = 0;
      for (std::size_t i = 0; i < n; ++i) u |= static_cast<uint64_t>(p[i]) << (8 * i);
      if (n < 8 && (p[n - 1] & 0x80)) u |= ~uint64_t{0} << (8 * n);  // sign-extend
      return int_node(static_cast<int64_t>(u));
    }
    Node b;
    b.kind = NodeKind::BigInt;
    b.text.assign(reinterpret_cast<const char*>(p), n);
    return add(std::move(b));
  }

  uint32_t text_int(std::string_view line, bool is_long) {
    if (is_long && !line.empty() && line.back() == 'L') line.remove_suffix(1);
    if (!is_long && (line == "00" || line == "01")) {
      Node n;
      n.kind = NodeKind::Bool;
      n.integer = line == "01";
      return add(std::move(n));
    }
    int64_t v = 0;
    if (line.size() > 1 && line[0] == '+') line.remove_prefix(1);
    const auto r = std::from_chars(line.data(), line.data() + line.size(), v);
    if (!is_int_text(line) || r.ec != std::errc() || r.ptr != line.data() + line.size())
      fail("malformed or too large integer '" + std::string(line.substr(0, 40)) + "'");
    return int_node(v);
  }

  uint32_t string_node(NodeKind kind, std::string text) {
    Node n;
    n.kind = kind;
    n.text = std::move(text);
    return add(std::move(n));
  }

  uint32_t container(NodeKind kind, std::vector<uint32_t> items) {
    Node n;
    n.kind = kind;
    n.items = std::move(items);
    return add(std::move(n));
  }

  void set_items(uint32_t dict_id, const std::vector<uint32_t>& kv) {
    if (kv.size() % 2) fail("odd number of items for SETITEMS");
    Node& d = at(dict_id);
    if (d.kind != NodeKind::Dict) fail("SETITEM on a value that is not a dict");
    for (std::size_t i = 0; i < kv.size(); i += 2) {
      // Python dicts replace existing keys in place; checkpoints have unique keys, so the
      // common case stays a cheap append.
      d.dict.emplace_back(kv[i], kv[i + 1]);
    }
  }

  std::size_t run(std::span<const uint8_t> bytes) {
    data = bytes.data();
    size = bytes.size();
    pos = 0;
    for (;;) {
      op_pos = pos;
      const uint8_t op = *take(1);
      switch (op) {
        case 0x80: {  // PROTO
          const uint8_t v = *take(1);
          if (v > 5) fail("unsupported pickle protocol " + std::to_string(v));
          break;
        }
        case 0x95: {  // FRAME
          const uint64_t n = take_le<uint64_t>();
          if (n > size - pos) fail("pickle frame longer than the data");
          break;
        }
        case '.': {  // STOP
          root = pop();
          return pos;
        }
        case '(': marks.push_back(stack.size()); break;
        case '0': pop(); break;
        case '1': pop_mark(); break;
        case '2': push(top()); break;
        case 'N': push_new(Node{}); break;
        case 0x88:
        case 0x89: {
          Node n;
          n.kind = NodeKind::Bool;
          n.integer = op == 0x88;
          push_new(std::move(n));
          break;
        }
        case 'I': push(text_int(take_line(), false)); break;
        case 'L': push(text_int(take_line(), true)); break;
        case 'J': push(int_node(take_le<int32_t>())); break;
        case 'K': push(int_node(*take(1))); break;
        case 'M': push(int_node(take_le<uint16_t>())); break;
        case 0x8a: {  // LONG1
          const uint8_t n = *take(1);
          push(long_node(take(n), n));
          break;
        }
        case 0x8b: {  // LONG4
          const int32_t n = take_le<int32_t>();
          if (n < 0 || static_cast<std::size_t>(n) > size - pos) fail("LONG4 length out of range");
          push(long_node(take(static_cast<std::size_t>(n)), static_cast<std::size_t>(n)));
          break;
        }
        case 'F': {
          const std::string line(take_line());
          char* end = nullptr;
          Node n;
          n.kind = NodeKind::Float;
          n.real = std::strtod(line.c_str(), &end);
          if (line.empty() || end != line.c_str() + line.size()) fail("malformed float");
          push_new(std::move(n));
          break;
        }
        case 'G': {  // BINFLOAT: big-endian double
          const uint8_t* p = take(8);
          uint64_t u = 0;
          for (int i = 0; i < 8; ++i) u = (u << 8) | p[i];
          Node n;
          n.kind = NodeKind::Float;
          std::memcpy(&n.real, &u, 8);
          push_new(std::move(n));
          break;
        }
        case 'S': {  // STRING: quoted repr, protocol 0
          std::string_view line = take_line();
          if (line.size() < 2 || line.front() != line.back() ||
              (line.front() != '\'' && line.front() != '"'))
            fail("malformed STRING argument");
          push(string_node(NodeKind::String, std::string(line.substr(1, line.size() - 2))));
          break;
        }
        case 'V': push(string_node(NodeKind::String, std::string(take_line()))); break;
        case 'T': push(string_node(NodeKind::String, take_bytes(take_le<uint32_t>()))); break;
        case 'U': push(string_node(NodeKind::String, take_bytes(*take(1)))); break;
        case 'X': push(string_node(NodeKind::String, take_bytes(take_le<uint32_t>()))); break;
        case 0x8c: push(string_node(NodeKind::String, take_bytes(*take(1)))); break;
        case 0x8d: push(string_node(NodeKind::String, take_bytes(take_le<uint64_t>()))); break;
        case 'B': push(string_node(NodeKind::Bytes, take_bytes(take_le<uint32_t>()))); break;
        case 'C': push(string_node(NodeKind::Bytes, take_bytes(*take(1)))); break;
        case 0x8e:
        case 0x96: push(string_node(NodeKind::Bytes, take_bytes(take_le<uint64_t>()))); break;
        case ']': push(container(NodeKind::List, {})); break;
        case ')': push(container(NodeKind::Tuple, {})); break;
        case '}': {
          Node n;
          n.kind = NodeKind::Dict;
          push_new(std::move(n));
          break;
        }
        case 0x8f: {  // EMPTY_SET
          Node n;
          n.kind = NodeKind::Set;
          n.text = "set";
          push_new(std::move(n));
          break;
        }
        case 'l': push(container(NodeKind::List, pop_mark())); break;
        case 't': push(container(NodeKind::Tuple, pop_mark())); break;
        case 0x85: {
          const uint32_t a = pop();
          push(container(NodeKind::Tuple, {a}));
          break;
        }
        case 0x86: {
          const uint32_t b = pop(), a = pop();
          push(container(NodeKind::Tuple, {a, b}));
          break;
        }
        case 0x87: {
          const uint32_t c = pop(), b = pop(), a = pop();
          push(container(NodeKind::Tuple, {a, b, c}));
          break;
        }
        case 0x91: {  // FROZENSET
          const uint32_t id = container(NodeKind::Set, pop_mark());
          at(id).text = "frozenset";
          push(id);
          break;
        }
        case 'd': {
          const auto kv = pop_mark();
          Node n;
          n.kind = NodeKind::Dict;
          const uint32_t id = add(std::move(n));
          set_items(id, kv);
          push(id);
          break;
        }
        case 'a': {
          const uint32_t v = pop();
          Node& l = at(top());
          if (l.kind != NodeKind::List) fail("APPEND on a value that is not a list");
          l.items.push_back(v);
          break;
        }
        case 'e': {
          const auto vs = pop_mark();
          Node& l = at(top());
          if (l.kind != NodeKind::List) fail("APPENDS on a value that is not a list");
          l.items.insert(l.items.end(), vs.begin(), vs.end());
          break;
        }
        case 0x90: {  // ADDITEMS
          const auto vs = pop_mark();
          Node& s = at(top());
          if (s.kind != NodeKind::Set) fail("ADDITEMS on a value that is not a set");
          s.items.insert(s.items.end(), vs.begin(), vs.end());
          break;
        }
        case 's': {
          const uint32_t v = pop(), k = pop();
          set_items(top(), {k, v});
          break;
        }
        case 'u': {
          const auto kv = pop_mark();
          set_items(top(), kv);
          break;
        }
        case 'p': {
          const std::string_view line = take_line();
          uint64_t idx = 0;
          const auto r = std::from_chars(line.data(), line.data() + line.size(), idx);
          if (r.ec != std::errc() || r.ptr != line.data() + line.size()) fail("malformed PUT");
          memo_put(idx);
          break;
        }
        case 'q': memo_put(*take(1)); break;
        case 'r': memo_put(take_le<uint32_t>()); break;
        case 0x94: memo_put(memo.size()); break;
        case 'g': {
          const std::string_view line = take_line();
          uint64_t idx = 0;
          const auto r = std::from_chars(line.data(), line.data() + line.size(), idx);
          if (r.ec != std::errc() || r.ptr != line.data() + line.size()) fail("malformed GET");
          push(memo_get(idx));
          break;
        }
        case 'h': push(memo_get(*take(1))); break;
        case 'j': push(memo_get(take_le<uint32_t>())); break;
        case 'c': {
          std::string module(take_line());
          std::string name(take_line());
          push(make_global(std::move(module), std::move(name)));
          break;
        }
        case 0x93: {  // STACK_GLOBAL
          const uint32_t name = pop(), module = pop();
          if (at(name).kind != NodeKind::String || at(module).kind != NodeKind::String)
            fail("STACK_GLOBAL with non-string names");
          push(make_global(at(module).text, at(name).text));
          break;
        }
        case 'i': {  // INST: protocol-0 instantiation; the global is reported, never resolved
          const std::string module(take_line());
          const std::string name(take_line());
          fail("refusing INST opcode instantiating '" + module + "." + name + "'");
        }
        case 'o': fail("refusing OBJ opcode (arbitrary instantiation)");
        case 'R': {
          const uint32_t args = pop(), callable = pop();
          push(call(callable, args));
          break;
        }
        case 0x81: {  // NEWOBJ
          const uint32_t args = pop(), cls = pop();
          if (at(cls).kind != NodeKind::Global) fail("NEWOBJ on a value that is not a class");
          const std::string name = at(cls).text;
          if (name == "collections.OrderedDict") {
            Node d;
            d.kind = NodeKind::Dict;
            push_new(std::move(d));
          } else {
            push(new_object(name, at(args).items));
          }
          break;
        }
        case 0x92: {  // NEWOBJ_EX
          pop();  // kwargs
          const uint32_t args = pop(), cls = pop();
          if (at(cls).kind != NodeKind::Global) fail("NEWOBJ_EX on a value that is not a class");
          push(new_object(at(cls).text, at(args).items));
          break;
        }
        case 'b': {
          const uint32_t state = pop();
          build(top(), state);
          break;
        }
        case 'Q': push(persistent_load(pop())); break;
        case 'P': fail("refusing text persistent id (PERSID)");
        case 0x82:
        case 0x83:
        case 0x84: fail("refusing EXT opcode (extension registry)");
        case 0x97:
        case 0x98: fail("refusing out-of-band buffer opcode");
        default: {
          static const char* hex = "0123456789abcdef";
          fail(std::string("unknown pickle opcode 0x") + hex[op >> 4] + hex[op & 15]);
        }
      }
    }
  }

  // ---- conversion ----
  struct Converter {
    Impl& m;
    const StorageLoader& loader;
    std::vector<torch::Tensor> cache;  // per storage index
    std::size_t budget;

    torch::Tensor storage_tensor(const Node& storage_node) {
      const auto index = static_cast<std::size_t>(storage_node.integer);
      if (!cache[index].defined()) {
        if (!loader) m.fail("tensor found where none was expected");
        const StorageRef& ref = m.storages[index];
        torch::Tensor t = loader(ref);
        if (!t.defined() || t.dim() != 1 || t.numel() < ref.numel || t.scalar_type() != ref.dtype)
          m.fail("storage '" + ref.key + "' could not be loaded");
        cache[index] = t;
      }
      if (storage_node.offset == 0 && storage_node.count == cache[index].numel())
        return cache[index];
      return cache[index].narrow(0, storage_node.offset, storage_node.count);
    }

    PickleValue convert(uint32_t id, std::size_t depth) {
      if (depth > kMaxDepth) m.fail("values nested too deeply (or a reference cycle)");
      if (budget-- == 0) m.fail("shared references expand to too many values");
      const Node& n = m.at(id);
      PickleValue v;
      switch (n.kind) {
        case NodeKind::None: break;
        case NodeKind::Bool:
          v.kind = PickleValue::Kind::Bool;
          v.boolean = n.integer != 0;
          break;
        case NodeKind::Int:
          v.kind = PickleValue::Kind::Int;
          v.integer = n.integer;
          break;
        case NodeKind::BigInt: {  // beyond int64: kept approximately
          v.kind = PickleValue::Kind::Float;
          double x = 0;
          for (std::size_t i = n.text.size(); i-- > 0;) x = x * 256 + static_cast<uint8_t>(n.text[i]);
          if (static_cast<uint8_t>(n.text.back()) & 0x80) x -= std::ldexp(1.0, 8 * n.text.size());
          v.real = x;
          break;
        }
        case NodeKind::Float:
          v.kind = PickleValue::Kind::Float;
          v.real = n.real;
          break;
        case NodeKind::String:
        case NodeKind::Bytes:
          v.kind = n.kind == NodeKind::String ? PickleValue::Kind::String : PickleValue::Kind::Bytes;
          v.text = n.text;
          break;
        case NodeKind::List:
        case NodeKind::Tuple:
          v.kind = n.kind == NodeKind::List ? PickleValue::Kind::List : PickleValue::Kind::Tuple;
          for (uint32_t c : n.items) v.items.push_back(convert(c, depth + 1));
          break;
        case NodeKind::Set:
          v.kind = PickleValue::Kind::Object;
          v.text = n.text;
          for (uint32_t c : n.items) v.items.push_back(convert(c, depth + 1));
          break;
        case NodeKind::Dict:
        case NodeKind::Object:
          v.kind = n.kind == NodeKind::Dict ? PickleValue::Kind::Dict : PickleValue::Kind::Object;
          v.text = n.text;
          for (uint32_t c : n.items) v.items.push_back(convert(c, depth + 1));
          for (const auto& [k, x] : n.dict)
            v.dict.emplace_back(convert(k, depth + 1), convert(x, depth + 1));
          break;
        case NodeKind::Global:
          v.kind = PickleValue::Kind::Object;
          v.text = n.text;
          break;
        case NodeKind::Storage:
          v.kind = PickleValue::Kind::Object;
          v.text = "storage";
          v.tensor = storage_tensor(n);
          break;
        case NodeKind::Tensor: {
          v.kind = PickleValue::Kind::Tensor;
          v.is_parameter = n.parameter;
          const torch::Tensor s = storage_tensor(m.at(n.storage));
          v.tensor = s.as_strided(n.size, n.stride, n.offset);
          break;
        }
      }
      return v;
    }
  };
};

Unpickler::Unpickler(std::filesystem::path file, std::string context, Options options)
    : impl_(std::make_unique<Impl>()) {
  impl_->file = std::move(file);
  impl_->context = std::move(context);
  impl_->options = options;
}

Unpickler::~Unpickler() = default;

std::size_t Unpickler::parse(std::span<const uint8_t> bytes) { return impl_->run(bytes); }

const std::vector<StorageRef>& Unpickler::storages() const { return impl_->storages; }

PickleValue Unpickler::result(const StorageLoader& storage_of) {
  if (!impl_->root) impl_->fail("no pickle was parsed");
  Impl::Converter c{*impl_, storage_of, std::vector<torch::Tensor>(impl_->storages.size()),
                    4 * impl_->nodes.size() + 100000};
  return c.convert(*impl_->root, 0);
}

std::optional<std::string> Unpickler::root_big_integer() const {
  if (!impl_->root) return std::nullopt;
  const Node& n = impl_->nodes[*impl_->root];
  if (n.kind != NodeKind::BigInt) return std::nullopt;
  return n.text;
}

}  // namespace deltaedit::io
