#include "core/io/checkpoint_reader.h"

#include <cstring>

#include "core/io/checkpoint_bytes.h"
#include "core/io/model_file_error.h"
#include "core/io/torchscript_reader.h"
#include "core/io/zip_archive.h"

namespace deltaedit::io {
namespace {

// 0x1950a86a20f9469cfc6c, little-endian, as pickle's LONG1 stores it.
constexpr uint8_t kLegacyMagic[] = {0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
constexpr int64_t kLegacyProtocol = 1001;

std::string storage_bytes_text(const StorageRef& ref) {
  return std::to_string(ref.numel) + " elements of " + std::string(c10::toString(ref.dtype)) +
         " (" + std::to_string(ref.numel * static_cast<int64_t>(c10::elementSize(ref.dtype))) +
         " bytes)";
}

PickleValue load_zip(const std::shared_ptr<const FileBytes>& bytes) {
  const ZipArchive zip(bytes);
  if (!zip.has("data.pkl")) {
    if (zip.has("model.json"))
      throw ModelFileError(bytes->name(), "old TorchScript archive (model.json) not supported");
    throw ModelFileError(bytes->name(), "zip archive without " + zip.prefix() + "/data.pkl");
  }
  Unpickler u(bytes->name(), zip.prefix() + "/data.pkl", {});
  u.parse(zip.record("data.pkl"));
  return u.result([&](const StorageRef& ref) {
    const auto record = zip.record("data/" + ref.key);
    const auto need = static_cast<uint64_t>(ref.numel) * c10::elementSize(ref.dtype);
    if (record.size() < need)
      throw ModelFileError(bytes->name(), "storage '" + ref.key + "' declares " +
                                              storage_bytes_text(ref) + " but record '" +
                                              zip.prefix() + "/data/" + ref.key + "' holds " +
                                              std::to_string(record.size()) + " bytes");
    return storage_over(bytes, record.data(), ref);
  });
}

// Legacy layout: magic, protocol, sys_info pickles, the main pickle, the list of storage keys,
// then every storage as an int64 element count followed by its bytes.
PickleValue load_legacy(const std::shared_ptr<const FileBytes>& bytes) {
  const auto& file = bytes->name();
  std::span<const uint8_t> rest = bytes->span();
  const auto next = [&](Unpickler& u) { rest = rest.subspan(u.parse(rest)); };

  {
    Unpickler magic(file, "legacy header", {});
    try {
      next(magic);
    } catch (const ModelFileError&) {
      throw ModelFileError(file, "not a PyTorch checkpoint (no valid magic number)");
    }
    const auto big = magic.root_big_integer();
    if (!big || big->size() != sizeof(kLegacyMagic) ||
        std::memcmp(big->data(), kLegacyMagic, sizeof(kLegacyMagic)) != 0)
      throw ModelFileError(file, "not a PyTorch checkpoint (wrong magic number)");
  }
  {
    Unpickler protocol(file, "legacy protocol version", {});
    next(protocol);
    const PickleValue v = protocol.result({});
    if (v.kind != PickleValue::Kind::Int || v.integer != kLegacyProtocol)
      throw ModelFileError(file, "unsupported legacy protocol version");
  }
  {
    Unpickler sys_info(file, "legacy sys_info", {});
    next(sys_info);
    const PickleValue v = sys_info.result({});
    const PickleValue* le = v.find("little_endian");
    if (!le || le->kind != PickleValue::Kind::Bool)
      throw ModelFileError(file, "legacy sys_info without byte order");
    if (!le->boolean)
      throw ModelFileError(file, "big-endian legacy checkpoint not supported; re-save it with "
                                 "torch.save on a little-endian machine");
  }
  Unpickler main(file, "legacy main pickle", {});
  next(main);
  Unpickler keys_pickle(file, "legacy storage key list", {});
  next(keys_pickle);
  const PickleValue keys = keys_pickle.result({});
  if (keys.kind != PickleValue::Kind::List)
    throw ModelFileError(file, "legacy storage key list is not a list");

  std::unordered_map<std::string, const StorageRef*> by_key;
  for (const auto& ref : main.storages()) by_key.emplace(ref.key, &ref);
  std::unordered_map<std::string, const uint8_t*> data_of;
  for (const auto& k : keys.items) {
    if (k.kind != PickleValue::Kind::String)
      throw ModelFileError(file, "legacy storage key is not a string");
    const auto it = by_key.find(k.text);
    if (it == by_key.end())
      throw ModelFileError(file, "legacy storage '" + k.text + "' is not used by the pickle");
    const StorageRef& ref = *it->second;
    if (rest.size() < 8)
      throw ModelFileError(file, "truncated: storage '" + k.text + "' header is missing");
    const auto count = load_le<int64_t>(rest.data());
    rest = rest.subspan(8);
    if (count != ref.numel)
      throw ModelFileError(file, "storage '" + k.text + "' holds " + std::to_string(count) +
                                     " elements but the pickle declares " +
                                     std::to_string(ref.numel));
    const auto need = static_cast<uint64_t>(ref.numel) * c10::elementSize(ref.dtype);
    if (rest.size() < need)
      throw ModelFileError(file, "truncated: storage '" + k.text + "' declares " +
                                     storage_bytes_text(ref) + " but only " +
                                     std::to_string(rest.size()) + " bytes remain");
    data_of[k.text] = rest.data();
    rest = rest.subspan(static_cast<std::size_t>(need));
  }
  return main.result([&](const StorageRef& ref) {
    const auto it = data_of.find(ref.key);
    if (it == data_of.end())
      throw ModelFileError(file, "legacy storage '" + ref.key + "' has no data");
    return storage_over(bytes, it->second, ref);
  });
}

void flatten(const PickleValue& dict, const std::string& prefix, StateDict& out,
             const std::filesystem::path& file, int depth) {
  if (depth > 64) throw ModelFileError(file, "dicts nested too deeply");
  for (const auto& [k, v] : dict.dict) {
    std::string name;
    if (k.kind == PickleValue::Kind::String)
      name = k.text;
    else if (k.kind == PickleValue::Kind::Int)
      name = std::to_string(k.integer);
    else
      continue;
    if (v.is_tensor())
      out.add(prefix + name, v.tensor);
    else if (v.is_dict())
      flatten(v, prefix + name + ".", out, file, depth + 1);
  }
}

}  // namespace

torch::Tensor storage_over(const std::shared_ptr<const FileBytes>& bytes, const uint8_t* p,
                           const StorageRef& ref) {
  const auto options = torch::TensorOptions().dtype(ref.dtype);
  const std::size_t elem = c10::elementSize(ref.dtype);
  if (ref.numel == 0) return torch::empty({0}, options);
  if (reinterpret_cast<uintptr_t>(p) % elem == 0) {
    // The mapping is private and writable, so handing out a mutable pointer is safe.
    auto keep = bytes;
    return torch::from_blob(const_cast<uint8_t*>(p), {ref.numel}, [keep](void*) {}, options);
  }
  torch::Tensor t = torch::empty({ref.numel}, options);
  std::memcpy(t.data_ptr(), p, static_cast<std::size_t>(ref.numel) * elem);
  return t;
}

PickleValue load_checkpoint(std::shared_ptr<const FileBytes> bytes) {
  const auto b = bytes->span();
  if (b.empty()) throw ModelFileError(bytes->name(), "empty file");
  if (ZipArchive::looks_like_zip(b)) return load_zip(bytes);
  if (b[0] == 0x80) return load_legacy(bytes);
  if (b.size() >= 262 && std::memcmp(b.data() + 257, "ustar", 5) == 0)
    throw ModelFileError(bytes->name(), "tar-format checkpoint (PyTorch < 0.4) not supported");
  throw ModelFileError(bytes->name(),
                       "not a PyTorch checkpoint (neither a zip archive nor a pickle)");
}

PickleValue load_checkpoint(const std::filesystem::path& file) {
  return load_checkpoint(FileBytes::map(file));
}

StateDict state_dict_at(const PickleValue& root, std::string_view key_path,
                        const std::filesystem::path& file) {
  const PickleValue* v = &root;
  std::string walked;
  while (!key_path.empty()) {
    const auto slash = key_path.find('/');
    const std::string_view part = key_path.substr(0, slash);
    key_path = slash == std::string_view::npos ? std::string_view{} : key_path.substr(slash + 1);
    if (!v->is_dict())
      throw ModelFileError(file, "'" + (walked.empty() ? std::string("<root>") : walked) +
                                     "' is a " + v->kind_name() + ", not a dict");
    walked += (walked.empty() ? "" : "/") + std::string(part);
    v = v->find(part);
    if (!v) throw ModelFileError(file, "missing key '" + walked + "'");
  }
  if (!v->is_dict())
    throw ModelFileError(file, "'" + (walked.empty() ? std::string("<root>") : walked) +
                                   "' is a " + v->kind_name() + ", not a dict of tensors");
  StateDict out(file);
  flatten(*v, "", out, file, 0);
  return out;
}

StateDict load_state_dict(const std::filesystem::path& file, std::string_view key_path) {
  auto bytes = FileBytes::map(file);
  if (key_path.empty() && ZipArchive::looks_like_zip(bytes->span()) &&
      ZipArchive(bytes).has("constants.pkl"))
    return load_torchscript_state_dict(bytes);
  return state_dict_at(load_checkpoint(bytes), key_path, file);
}

}  // namespace deltaedit::io
