#include "core/io/torchscript_reader.h"

#include <unordered_map>
#include <unordered_set>

#include "core/io/checkpoint_bytes.h"
#include "core/io/model_file_error.h"
#include "core/io/zip_archive.h"

namespace deltaedit::io {
namespace {

struct ClassSlots {
  std::unordered_set<std::string> parameters, buffers;
};

// `__parameters__ = ["a", "b", ]` -> {a, b}
std::unordered_set<std::string> quoted_names(std::string_view line) {
  std::unordered_set<std::string> out;
  for (std::size_t i = line.find('"'); i != std::string_view::npos; i = line.find('"', i)) {
    const std::size_t j = line.find('"', i + 1);
    if (j == std::string_view::npos) break;
    out.emplace(line.substr(i + 1, j - i - 1));
    i = j + 1;
  }
  return out;
}

// Reads the __parameters__/__buffers__ declarations of every class in code/: the archive's
// Python source is only scanned for these two lines, never run.
std::unordered_map<std::string, ClassSlots> class_slots(const ZipArchive& zip) {
  std::unordered_map<std::string, ClassSlots> out;
  for (const auto& name : zip.names()) {
    if (!name.starts_with("code/") || !name.ends_with(".py")) continue;
    std::string module = name.substr(5, name.size() - 5 - 3);
    for (char& ch : module)
      if (ch == '/') ch = '.';
    const auto bytes = zip.record(name);
    const std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    ClassSlots* current = nullptr;
    for (std::size_t start = 0; start < text.size();) {
      std::size_t end = text.find('\n', start);
      if (end == std::string_view::npos) end = text.size();
      const std::string_view line = text.substr(start, end - start);
      start = end + 1;
      if (line.starts_with("class ")) {
        const std::size_t stop = line.find_first_of("(:", 6);
        current = &out[module + "." + std::string(line.substr(6, stop - 6))];
      } else if (current && line.starts_with("  __parameters__ = ")) {
        current->parameters = quoted_names(line);
      } else if (current && line.starts_with("  __buffers__ = ")) {
        current->buffers = quoted_names(line);
      }
    }
  }
  return out;
}

// Module.state_dict() order: own parameters, own buffers, then each submodule recursively.
void collect(const PickleValue& module, const std::string& prefix,
             const std::unordered_map<std::string, ClassSlots>& slots, StateDict& out,
             const std::filesystem::path& file, int depth) {
  if (depth > 100) throw ModelFileError(file, "TorchScript modules nested too deeply");
  const auto it = slots.find(module.text);
  if (it != slots.end()) {
    for (const auto* set : {&it->second.parameters, &it->second.buffers})
      for (const auto& [k, v] : module.dict)
        if (k.is_string() && v.is_tensor() && set->count(k.text)) out.add(prefix + k.text, v.tensor);
  }
  for (const auto& [k, v] : module.dict)
    if (k.is_string() && v.kind == PickleValue::Kind::Object && v.text.starts_with("__torch__."))
      collect(v, prefix + k.text + ".", slots, out, file, depth + 1);
}

}  // namespace

StateDict load_torchscript_state_dict(std::shared_ptr<const FileBytes> bytes) {
  const auto& file = bytes->name();
  if (!ZipArchive::looks_like_zip(bytes->span()))
    throw ModelFileError(file, "not a TorchScript archive (not a zip file)");
  const ZipArchive zip(bytes);
  if (!zip.has("data.pkl") || !zip.has("constants.pkl"))
    throw ModelFileError(file, "not a TorchScript archive (no data.pkl / constants.pkl)");
  Unpickler u(file, zip.prefix() + "/data.pkl", {.torchscript = true});
  u.parse(zip.record("data.pkl"));
  const PickleValue root = u.result([&](const StorageRef& ref) {
    const auto record = zip.record("data/" + ref.key);
    if (record.size() < static_cast<uint64_t>(ref.numel) * c10::elementSize(ref.dtype))
      throw ModelFileError(file, "storage '" + ref.key + "' is larger than its record");
    return storage_over(bytes, record.data(), ref);
  });
  if (root.kind != PickleValue::Kind::Object || !root.text.starts_with("__torch__."))
    throw ModelFileError(file, "TorchScript data.pkl does not hold a module");
  StateDict out(file);
  collect(root, "", class_slots(zip), out, file, 0);
  return out;
}

StateDict load_torchscript_state_dict(const std::filesystem::path& file) {
  return load_torchscript_state_dict(FileBytes::map(file));
}

bool is_torchscript_archive(const std::filesystem::path& file) {
  try {
    auto bytes = FileBytes::map(file);
    if (!ZipArchive::looks_like_zip(bytes->span())) return false;
    const ZipArchive zip(bytes);
    if (zip.has("constants.pkl")) return true;
    for (const auto& n : zip.names())
      if (n.starts_with("code/")) return true;
    return false;
  } catch (const ModelFileError&) {
    return false;
  }
}

}  // namespace deltaedit::io
