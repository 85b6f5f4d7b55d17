#pragma once
// A restricted pickle machine (protocols 0-5, the opcodes torch.save and torch.jit.save use).
// It never calls anything: the few allowed globals (OrderedDict, the tensor rebuild functions,
// storage types, argparse.Namespace, TorchScript classes in archives, ...) are interpreted by
// name, anything else is refused with an error naming the global. Tensors are recorded as
// (storage reference, offset, size, stride), checked against the storage's declared element
// count, and only built over real bytes when the caller converts the result.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/io/pickle_value.h"

namespace deltaedit::io {

// A storage as a persistent id names it: ('storage', torch.FloatStorage, key, location, numel)
// plus, in the legacy format, an optional view (offset and size in elements) into it.
struct StorageRef {
  std::string key;
  torch::ScalarType dtype = torch::kFloat;
  int64_t numel = 0;
  std::optional<std::pair<int64_t, int64_t>> view;  // (element offset, element count)
};

class Unpickler {
 public:
  struct Options {
    bool torchscript = false;  // allow __torch__.* classes and torch.jit._pickle helpers
  };

  // `context` names the pickle in messages ("data.pkl", "main pickle").
  Unpickler(std::filesystem::path file, std::string context, Options options);
  ~Unpickler();

  // Runs one pickle from the start of `bytes` up to its STOP; returns the bytes consumed.
  // Throws ModelFileError on anything malformed or not allowed.
  std::size_t parse(std::span<const uint8_t> bytes);

  // Every storage the pickle referenced, in first-use order (deduplicated by key).
  const std::vector<StorageRef>& storages() const;

  // The root value. `storage_of` returns the 1-D tensor of a storage (ref.numel elements of
  // ref.dtype), called at most once per distinct key (views are narrowed here); it may be empty
  // when the pickle holds no tensors.
  using StorageLoader = std::function<torch::Tensor(const StorageRef&)>;
  PickleValue result(const StorageLoader& storage_of);

  // The root as raw little-endian bytes when it is an integer too large for int64 (the legacy
  // format's magic number), else nullopt.
  std::optional<std::string> root_big_integer() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace deltaedit::io
