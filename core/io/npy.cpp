#include "core/io/npy.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <fstream>

#include "core/io/file_bytes.h"
#include "core/io/model_file_error.h"

namespace deltaedit::io {
namespace {

struct NpyHeader {
  torch::ScalarType dtype = torch::kFloat;
  bool big_endian = false;
  bool fortran = false;
  std::vector<int64_t> shape;
};

// The value text after 'key': in the header's Python dict literal.
std::string_view field(std::string_view dict, std::string_view key,
                       const std::filesystem::path& file) {
  const std::string quoted = "'" + std::string(key) + "'";
  auto at = dict.find(quoted);
  if (at == std::string_view::npos) throw ModelFileError(file, "npy header without '" + std::string(key) + "'");
  at = dict.find(':', at + quoted.size());
  if (at == std::string_view::npos) throw ModelFileError(file, "malformed npy header");
  std::string_view rest = dict.substr(at + 1);
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  return rest;
}

NpyHeader parse_header(std::string_view h, const std::filesystem::path& file) {
  NpyHeader out;
  const std::string_view descr = field(h, "descr", file);
  if (descr.size() < 5 || descr[0] != '\'')
    throw ModelFileError(file, "unsupported npy descr (structured arrays are not supported)");
  const std::string_view d = descr.substr(1, descr.find('\'', 1) - 1);
  if (d.size() < 3) throw ModelFileError(file, "malformed npy descr");
  const char order = d[0];
  const std::string_view type = d.substr(1);
  out.big_endian = order == '>';
  if (order != '<' && order != '>' && order != '|' && order != '=')
    throw ModelFileError(file, "malformed npy byte order '" + std::string(1, order) + "'");
  static const std::pair<const char*, torch::ScalarType> kTypes[] = {
      {"f2", torch::kHalf}, {"f4", torch::kFloat}, {"f8", torch::kDouble}, {"i1", torch::kChar},
      {"i2", torch::kShort}, {"i4", torch::kInt},  {"i8", torch::kLong},   {"u1", torch::kByte},
      {"b1", torch::kBool},
  };
  bool known = false;
  for (const auto& [name, dtype] : kTypes)
    if (type == name) {
      out.dtype = dtype;
      known = true;
    }
  if (!known) throw ModelFileError(file, "unsupported npy dtype '" + std::string(d) + "'");

  const std::string_view fo = field(h, "fortran_order", file);
  if (fo.starts_with("True"))
    out.fortran = true;
  else if (!fo.starts_with("False"))
    throw ModelFileError(file, "malformed npy fortran_order");

  std::string_view shape = field(h, "shape", file);
  if (shape.empty() || shape[0] != '(') throw ModelFileError(file, "malformed npy shape");
  shape = shape.substr(1, shape.find(')') == std::string_view::npos ? 0 : shape.find(')') - 1);
  while (!shape.empty()) {
    while (!shape.empty() && (shape.front() == ' ' || shape.front() == ',')) shape.remove_prefix(1);
    if (shape.empty()) break;
    int64_t v = -1;
    auto r = std::from_chars(shape.data(), shape.data() + shape.size(), v);
    if (r.ec != std::errc() || v < 0) throw ModelFileError(file, "malformed npy shape");
    out.shape.push_back(v);
    shape.remove_prefix(static_cast<std::size_t>(r.ptr - shape.data()));
    while (!shape.empty() && shape.front() == 'L') shape.remove_prefix(1);
  }
  return out;
}

void byte_swap(uint8_t* p, int64_t n, std::size_t elem) {
  for (int64_t i = 0; i < n; ++i, p += elem)
    for (std::size_t a = 0, b = elem - 1; a < b; ++a, --b) std::swap(p[a], p[b]);
}

const char* descr_of(torch::ScalarType t) {
  switch (t) {
    case torch::kHalf: return "<f2";
    case torch::kFloat: return "<f4";
    case torch::kDouble: return "<f8";
    case torch::kChar: return "|i1";
    case torch::kShort: return "<i2";
    case torch::kInt: return "<i4";
    case torch::kLong: return "<i8";
    case torch::kByte: return "|u1";
    case torch::kBool: return "|b1";
    default: return nullptr;
  }
}

}  // namespace

torch::Tensor load_npy(const std::filesystem::path& file) {
  const auto bytes = FileBytes::map(file);
  const uint8_t* p = bytes->data();
  const std::size_t n = bytes->size();
  if (n < 10 || std::memcmp(p, "\x93NUMPY", 6) != 0)
    throw ModelFileError(file, "not a .npy file (bad magic)");
  const uint8_t major = p[6];
  std::size_t header_len = 0, header_start = 0;
  if (major == 1) {
    header_len = load_le<uint16_t>(p + 8);
    header_start = 10;
  } else if (major == 2 || major == 3) {
    if (n < 12) throw ModelFileError(file, "truncated .npy header");
    header_len = load_le<uint32_t>(p + 8);
    header_start = 12;
  } else {
    throw ModelFileError(file, "unsupported .npy version " + std::to_string(major));
  }
  if (header_len > n - header_start) throw ModelFileError(file, "truncated .npy header");
  const NpyHeader h = parse_header(
      std::string_view(reinterpret_cast<const char*>(p + header_start), header_len), file);

  int64_t numel = 1;
  for (int64_t s : h.shape)
    if (__builtin_mul_overflow(numel, s, &numel))
      throw ModelFileError(file, "absurd .npy shape (element count overflows)");
  const std::size_t elem = c10::elementSize(h.dtype);
  const std::size_t data_start = header_start + header_len;
  const uint64_t need = static_cast<uint64_t>(numel);
  if (need > (n - data_start) / elem)
    throw ModelFileError(file, "truncated .npy data: " + std::to_string(numel) + " elements need " +
                                   std::to_string(need * elem) + " bytes, " +
                                   std::to_string(n - data_start) + " present");

  // Fortran order is C order of the reversed shape, transposed back.
  std::vector<int64_t> stored = h.shape;
  if (h.fortran) std::reverse(stored.begin(), stored.end());
  torch::Tensor t = torch::empty(stored, torch::TensorOptions().dtype(h.dtype));
  if (numel > 0) std::memcpy(t.data_ptr(), p + data_start, static_cast<std::size_t>(numel) * elem);
  if (h.big_endian && elem > 1) byte_swap(static_cast<uint8_t*>(t.data_ptr()), numel, elem);
  if (h.fortran && t.dim() > 1) {
    std::vector<int64_t> perm(static_cast<std::size_t>(t.dim()));
    for (std::size_t i = 0; i < perm.size(); ++i) perm[i] = static_cast<int64_t>(perm.size() - 1 - i);
    t = t.permute(perm).contiguous();
  }
  return t;
}

void save_npy(const std::filesystem::path& file, const torch::Tensor& tensor) {
  const torch::Tensor t = tensor.detach().to(torch::kCPU).contiguous();
  const char* descr = descr_of(t.scalar_type());
  if (!descr)
    throw ModelFileError(file, "cannot save dtype " + std::string(c10::toString(t.scalar_type())) +
                                   " as .npy");
  std::string shape = "(";
  for (int64_t i = 0; i < t.dim(); ++i) shape += (i ? ", " : "") + std::to_string(t.size(i));
  shape += t.dim() == 1 ? ",)" : ")";
  std::string header = "{'descr': '" + std::string(descr) + "', 'fortran_order': False, 'shape': " +
                       shape + ", }";
  // Pad with spaces so the data starts 64-byte aligned; the header ends with a newline.
  const std::size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header += '\n';
  if (header.size() > 65535) throw ModelFileError(file, "npy header too long");

  const std::filesystem::path tmp = file.string() + ".tmp" + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) throw ModelFileError(file, "cannot write " + tmp.string());
    const uint8_t prefix[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0,
                                static_cast<uint8_t>(header.size() & 0xFF),
                                static_cast<uint8_t>(header.size() >> 8)};
    out.write(reinterpret_cast<const char*>(prefix), 10);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(t.data_ptr()),
              static_cast<std::streamsize>(t.numel() * t.element_size()));
    out.flush();
    if (!out) {
      std::filesystem::remove(tmp);
      throw ModelFileError(file, "write failed");
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, file, ec);
  if (ec) {
    std::filesystem::remove(tmp);
    throw ModelFileError(file, "cannot replace file: " + ec.message());
  }
}

}  // namespace deltaedit::io
