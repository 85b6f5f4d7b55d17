#include "core/io/checkpoint_writer.h"

#include <unistd.h>

#include <array>
#include <cstring>
#include <fstream>
#include <unordered_map>

#include "core/io/model_file_error.h"

namespace deltaedit::io {
namespace {

uint32_t crc32(uint32_t crc, const uint8_t* p, std::size_t n) {
  static const auto table = [] {
    std::array<std::array<uint32_t, 256>, 4> t{};
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (int s = 1; s < 4; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    return t;
  }();
  crc = ~crc;
  for (; n >= 4; n -= 4, p += 4) {  // slicing-by-4
    crc ^= static_cast<uint32_t>(p[0]) | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
    crc = table[3][crc & 0xFF] ^ table[2][(crc >> 8) & 0xFF] ^ table[1][(crc >> 16) & 0xFF] ^
          table[0][crc >> 24];
  }
  while (n--) crc = table[0][(crc ^ *p++) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

template <typename T>
void put_le(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));
  out.append(b, sizeof(T));
}

// Stored-only zip writer with zip64 records and 64-byte aligned data (as PyTorch aligns them,
// so readers can map tensors in place).
class ZipWriter {
 public:
  ZipWriter(std::ofstream& out, const std::filesystem::path& file) : out_(out), file_(file) {}

  void add(const std::string& name, const uint8_t* data, uint64_t size) {
    const uint32_t crc = crc32(0, data, static_cast<std::size_t>(size));
    const uint64_t header_at = offset_;
    // Local header + zip64 extra (sizes) + 'FB' padding extra so the data is 64-aligned.
    std::string h;
    put_le<uint32_t>(h, 0x04034b50);
    put_le<uint16_t>(h, 45);
    put_le<uint16_t>(h, 0);
    put_le<uint16_t>(h, 0);  // stored
    put_le<uint16_t>(h, 0);
    put_le<uint16_t>(h, 0x21);  // 1980-01-01
    put_le<uint32_t>(h, crc);
    put_le<uint32_t>(h, 0xFFFFFFFF);
    put_le<uint32_t>(h, 0xFFFFFFFF);
    put_le<uint16_t>(h, static_cast<uint16_t>(name.size()));
    const std::size_t extra_at = h.size();
    put_le<uint16_t>(h, 0);  // extra length, patched below
    h += name;
    put_le<uint16_t>(h, 0x0001);
    put_le<uint16_t>(h, 16);
    put_le<uint64_t>(h, size);
    put_le<uint64_t>(h, size);
    const uint64_t unpadded = offset_ + h.size() + 4;
    const auto pad = static_cast<uint16_t>((64 - unpadded % 64) % 64);
    put_le<uint16_t>(h, 0x4246);  // "FB"
    put_le<uint16_t>(h, pad);
    h.append(pad, 'Z');
    const auto extra_len = static_cast<uint16_t>(20 + 4 + pad);
    std::memcpy(h.data() + extra_at, &extra_len, 2);
    write(h.data(), h.size());
    write(data, size);
    entries_.push_back({name, crc, size, header_at});
  }

  void finish() {
    const uint64_t cd_at = offset_;
    std::string cd;
    for (const auto& e : entries_) {
      put_le<uint32_t>(cd, 0x02014b50);
      put_le<uint16_t>(cd, 45);
      put_le<uint16_t>(cd, 45);
      put_le<uint16_t>(cd, 0);
      put_le<uint16_t>(cd, 0);
      put_le<uint16_t>(cd, 0);
      put_le<uint16_t>(cd, 0x21);
      put_le<uint32_t>(cd, e.crc);
      put_le<uint32_t>(cd, 0xFFFFFFFF);
      put_le<uint32_t>(cd, 0xFFFFFFFF);
      put_le<uint16_t>(cd, static_cast<uint16_t>(e.name.size()));
      put_le<uint16_t>(cd, 28);  // zip64 extra: size, compressed size, offset
      put_le<uint16_t>(cd, 0);
      put_le<uint16_t>(cd, 0);
      put_le<uint16_t>(cd, 0);
      put_le<uint32_t>(cd, 0);
      put_le<uint32_t>(cd, 0xFFFFFFFF);
      cd += e.name;
      put_le<uint16_t>(cd, 0x0001);
      put_le<uint16_t>(cd, 24);
      put_le<uint64_t>(cd, e.size);
      put_le<uint64_t>(cd, e.size);
      put_le<uint64_t>(cd, e.offset);
    }
    const uint64_t z64_at = cd_at + cd.size();
    put_le<uint32_t>(cd, 0x06064b50);
    put_le<uint64_t>(cd, 44);
    put_le<uint16_t>(cd, 45);
    put_le<uint16_t>(cd, 45);
    put_le<uint32_t>(cd, 0);
    put_le<uint32_t>(cd, 0);
    put_le<uint64_t>(cd, entries_.size());
    put_le<uint64_t>(cd, entries_.size());
    put_le<uint64_t>(cd, z64_at - cd_at);
    put_le<uint64_t>(cd, cd_at);
    put_le<uint32_t>(cd, 0x07064b50);
    put_le<uint32_t>(cd, 0);
    put_le<uint64_t>(cd, z64_at);
    put_le<uint32_t>(cd, 1);
    put_le<uint32_t>(cd, 0x06054b50);
    put_le<uint16_t>(cd, 0);
    put_le<uint16_t>(cd, 0);
    put_le<uint16_t>(cd, 0xFFFF);
    put_le<uint16_t>(cd, 0xFFFF);
    put_le<uint32_t>(cd, 0xFFFFFFFF);
    put_le<uint32_t>(cd, 0xFFFFFFFF);
    put_le<uint16_t>(cd, 0);
    write(cd.data(), cd.size());
  }

 private:
  struct Entry {
    std::string name;
    uint32_t crc;
    uint64_t size;
    uint64_t offset;
  };
  void write(const void* p, uint64_t n) {
    out_.write(static_cast<const char*>(p), static_cast<std::streamsize>(n));
    if (!out_) throw ModelFileError(file_, "write failed");
    offset_ += n;
  }
  std::ofstream& out_;
  std::filesystem::path file_;
  uint64_t offset_ = 0;
  std::vector<Entry> entries_;
};

const char* storage_type(torch::ScalarType t) {
  switch (t) {
    case torch::kFloat: return "FloatStorage";
    case torch::kDouble: return "DoubleStorage";
    case torch::kHalf: return "HalfStorage";
    case torch::kBFloat16: return "BFloat16Storage";
    case torch::kLong: return "LongStorage";
    case torch::kInt: return "IntStorage";
    case torch::kShort: return "ShortStorage";
    case torch::kChar: return "CharStorage";
    case torch::kByte: return "ByteStorage";
    case torch::kBool: return "BoolStorage";
    default: return nullptr;
  }
}

// Protocol-2 pickle opcodes, as Python's pickler writes them.
struct PickleOut {
  std::string s;
  void op(char c) { s += c; }
  void str(const std::string& v) {
    op('X');
    put_le<uint32_t>(s, static_cast<uint32_t>(v.size()));
    s += v;
  }
  void integer(int64_t v) {
    if (v >= 0 && v < 256) {
      op('K');
      s += static_cast<char>(v);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
      op('J');
      put_le<int32_t>(s, static_cast<int32_t>(v));
    } else {
      op('\x8a');
      s += '\x08';
      put_le<int64_t>(s, v);
    }
  }
  void global(const char* module, const char* name) {
    op('c');
    s += module;
    s += '\n';
    s += name;
    s += '\n';
  }
  void int_tuple(c10::IntArrayRef v) {
    op('(');
    for (int64_t x : v) integer(x);
    op('t');
  }
};

}  // namespace

void save_state_dict(const std::filesystem::path& file, const StateDict& state_dict) {
  struct Storage {
    torch::Tensor base;  // CPU tensor owning the storage
    std::string key;
  };
  std::vector<Storage> storages;
  std::unordered_map<const void*, std::size_t> by_data;

  PickleOut p;
  p.op('\x80');
  p.op('\x02');
  p.global("collections", "OrderedDict");
  p.op(')');
  p.op('R');
  p.op('(');
  for (const auto& [name, tensor_in] : state_dict.entries()) {
    torch::Tensor t = tensor_in.detach();
    if (!t.device().is_cpu()) t = t.to(torch::kCPU);
    if (!t.is_contiguous() && !t.has_storage()) t = t.contiguous();
    const char* type = storage_type(t.scalar_type());
    if (!type)
      throw ModelFileError(file, "cannot save '" + name + "': unsupported dtype " +
                                     std::string(c10::toString(t.scalar_type())));
    // Tensors over one storage keep sharing it, like torch.save.
    // (Empty storages have no identity to share.)
    std::size_t index = storages.size();
    if (t.storage().nbytes() > 0) index = by_data.try_emplace(t.storage().data(), index).first->second;
    if (index == storages.size()) storages.push_back({t, std::to_string(storages.size())});
    const Storage& s = storages[index];
    const int64_t numel = static_cast<int64_t>(t.storage().nbytes() / t.element_size());

    p.str(name);
    p.global("torch._utils", "_rebuild_tensor_v2");
    p.op('(');
    p.op('(');
    p.str("storage");
    p.global("torch", type);
    p.str(s.key);
    p.str("cpu");
    p.integer(numel);
    p.op('t');
    p.op('Q');
    p.integer(t.storage_offset());
    p.int_tuple(t.sizes());
    p.int_tuple(t.strides());
    p.op('\x89');
    p.global("collections", "OrderedDict");
    p.op(')');
    p.op('R');
    p.op('t');
    p.op('R');
  }
  p.op('u');
  p.op('.');

  // The archive folder is the file stem, as torch.save names it.
  std::string folder = file.stem().string();
  if (folder.empty()) folder = "archive";
  const std::filesystem::path tmp = file.string() + ".tmp" + std::to_string(::getpid());
  try {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ModelFileError(file, "cannot create " + tmp.string());
    ZipWriter zip(out, file);
    zip.add(folder + "/data.pkl", reinterpret_cast<const uint8_t*>(p.s.data()), p.s.size());
    for (const auto& s : storages)
      zip.add(folder + "/data/" + s.key, static_cast<const uint8_t*>(s.base.storage().data()),
              s.base.storage().nbytes());
    const std::string version = "3\n";
    zip.add(folder + "/version", reinterpret_cast<const uint8_t*>(version.data()), version.size());
    zip.finish();
    out.flush();
    if (!out) throw ModelFileError(file, "write failed");
  } catch (...) {
    std::filesystem::remove(tmp);
    throw;
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw ModelFileError(file, "cannot replace file: " + ec.message());
  }
}

}  // namespace deltaedit::io
