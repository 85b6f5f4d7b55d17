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
  void float64(double v) {  // BINFLOAT: big-endian IEEE double
    op('G');
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    for (int shift = 56; shift >= 0; shift -= 8) s += static_cast<char>((bits >> shift) & 0xFF);
  }
};

// Pickles state dicts and values while collecting the tensors' storages, then writes the
// archive. Tensors over one storage keep sharing it, like torch.save.
class CheckpointPickler {
 public:
  explicit CheckpointPickler(const std::filesystem::path& file) : file_(file) {
    p_.op('\x80');
    p_.op('\x02');
  }

  void state_dict(const StateDict& state_dict) {
    p_.global("collections", "OrderedDict");
    p_.op(')');
    p_.op('R');
    p_.op('(');
    for (const auto& [name, tensor] : state_dict.entries()) {
      p_.str(name);
      this->tensor(name, tensor);
    }
    p_.op('u');
  }

  void value(const std::string& name, const CheckpointValue& v) {
    if (const auto* t = std::get_if<torch::Tensor>(&v)) tensor(name, *t);
    else if (const auto* sd = std::get_if<StateDict>(&v)) state_dict(*sd);
    else if (const auto* i = std::get_if<int64_t>(&v)) p_.integer(*i);
    else if (const auto* d = std::get_if<double>(&v)) p_.float64(*d);
    else p_.str(std::get<std::string>(v));
  }

  void plain_dict(const CheckpointEntries& entries) {
    p_.op('}');
    p_.op('(');
    for (const auto& [name, v] : entries) {
      p_.str(name);
      value(name, v);
    }
    p_.op('u');
  }

  void write(const std::filesystem::path& tmp) {
    p_.op('.');
    // The archive folder is the file stem, as torch.save names it.
    std::string folder = file_.stem().string();
    if (folder.empty()) folder = "archive";
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ModelFileError(file_, "cannot create " + tmp.string());
    ZipWriter zip(out, file_);
    zip.add(folder + "/data.pkl", reinterpret_cast<const uint8_t*>(p_.s.data()), p_.s.size());
    for (const auto& s : storages_)
      zip.add(folder + "/data/" + s.key, static_cast<const uint8_t*>(s.base.storage().data()),
              s.base.storage().nbytes());
    const std::string version = "3\n";
    zip.add(folder + "/version", reinterpret_cast<const uint8_t*>(version.data()), version.size());
    zip.finish();
    out.flush();
    if (!out) throw ModelFileError(file_, "write failed");
  }

 private:
  struct Storage {
    torch::Tensor base;  // CPU tensor owning the storage
    std::string key;
  };

  void tensor(const std::string& name, const torch::Tensor& tensor_in) {
    torch::Tensor t = tensor_in.detach();
    if (!t.device().is_cpu()) t = t.to(torch::kCPU);
    if (!t.is_contiguous() && !t.has_storage()) t = t.contiguous();
    const char* type = storage_type(t.scalar_type());
    if (!type)
      throw ModelFileError(file_, "cannot save '" + name + "': unsupported dtype " +
                                      std::string(c10::toString(t.scalar_type())));
    // (Empty storages have no identity to share.)
    std::size_t index = storages_.size();
    if (t.storage().nbytes() > 0)
      index = by_data_.try_emplace(t.storage().data(), index).first->second;
    if (index == storages_.size()) storages_.push_back({t, std::to_string(storages_.size())});
    const Storage& s = storages_[index];
    const int64_t numel = static_cast<int64_t>(t.storage().nbytes() / t.element_size());

    p_.global("torch._utils", "_rebuild_tensor_v2");
    p_.op('(');
    p_.op('(');
    p_.str("storage");
    p_.global("torch", type);
    p_.str(s.key);
    p_.str("cpu");
    p_.integer(numel);
    p_.op('t');
    p_.op('Q');
    p_.integer(t.storage_offset());
    p_.int_tuple(t.sizes());
    p_.int_tuple(t.strides());
    p_.op('\x89');
    p_.global("collections", "OrderedDict");
    p_.op(')');
    p_.op('R');
    p_.op('t');
    p_.op('R');
  }

  std::filesystem::path file_;
  PickleOut p_;
  std::vector<Storage> storages_;
  std::unordered_map<const void*, std::size_t> by_data_;
};

// Writes through a temporary name and renames, so a file under its final name is complete.
template <typename Fill>
void save_atomically(const std::filesystem::path& file, Fill fill) {
  CheckpointPickler pickler(file);
  fill(pickler);
  const std::filesystem::path tmp = file.string() + ".tmp" + std::to_string(::getpid());
  try {
    pickler.write(tmp);
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

}  // namespace

void save_state_dict(const std::filesystem::path& file, const StateDict& state_dict) {
  save_atomically(file, [&](CheckpointPickler& p) { p.state_dict(state_dict); });
}

void save_checkpoint(const std::filesystem::path& file, const CheckpointEntries& entries) {
  save_atomically(file, [&](CheckpointPickler& p) { p.plain_dict(entries); });
}

}  // namespace deltaedit::io
