#include "core/engine/edit_session.h"

#include <unistd.h>

#include <cstring>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/io/sha256.h"

namespace deltaedit::engine {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// File layout: magic | u32 version | u64 header length | JSON header | raw float32 tensors in
// the header's order | SHA-256 of everything before it. Little-endian.
constexpr char kMagic[16] = {'D', 'E', 'L', 'T', 'A', 'E', 'D', 'I', 'T', '-', 'S', 'E', 'S', 'S', '\n', '\0'};

template <typename T>
void put(std::string& out, T v) {
  out.append(reinterpret_cast<const char*>(&v), sizeof v);
}

json tensor_meta(const torch::Tensor& t) {
  if (!t.defined()) return json::array();
  return json(t.sizes().vec());
}

void put_tensor(std::string& out, const torch::Tensor& t) {
  if (!t.defined()) return;
  auto c = t.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  out.append(reinterpret_cast<const char*>(c.data_ptr<float>()), c.numel() * sizeof(float));
}

bool same(const torch::Tensor& a, const torch::Tensor& b) {
  if (a.defined() != b.defined()) return false;
  if (!a.defined()) return true;
  return a.sizes() == b.sizes() && torch::equal(a.to(torch::kCPU, torch::kFloat32), b.to(torch::kCPU, torch::kFloat32));
}

}  // namespace

bool EditSession::operator==(const EditSession& o) const {
  return photo == o.photo && aligned_input == o.aligned_input && face_index == o.face_index &&
         quad == o.quad && edits == o.edits && same(wplus, o.wplus) && same(base_s, o.base_s) &&
         same(image_embedding, o.image_embedding);
}

void save_session(const fs::path& file, const EditSession& s) {
  json header;
  header["photo"] = s.photo.string();
  header["aligned_input"] = s.aligned_input;
  header["face_index"] = s.face_index;
  header["quad"] = s.quad;
  header["tensors"] = {{"wplus", tensor_meta(s.wplus)},
                       {"base_s", tensor_meta(s.base_s)},
                       {"image_embedding", tensor_meta(s.image_embedding)}};
  json edits = json::array();
  for (const auto& e : s.edits)
    edits.push_back({{"source", e.source}, {"target", e.target}, {"strength", e.strength}, {"threshold", e.threshold}});
  header["edits"] = edits;
  const std::string h = header.dump();

  std::string out(kMagic, sizeof kMagic);
  put<uint32_t>(out, EditSession::kFormatVersion);
  put<uint64_t>(out, h.size());
  out += h;
  put_tensor(out, s.wplus);
  put_tensor(out, s.base_s);
  put_tensor(out, s.image_embedding);
  io::Sha256 sha;
  sha.update(out.data(), out.size());
  const auto digest = sha.digest();
  out.append(reinterpret_cast<const char*>(digest.data()), digest.size());

  // Atomic: a crash mid-write leaves the previous file intact.
  fs::path tmp = file;
  tmp += ".tmp" + std::to_string(::getpid());
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (!f) throw std::runtime_error(file.string() + ": cannot write the session file");
    f.write(out.data(), static_cast<std::streamsize>(out.size()));
    f.flush();
    if (!f) {
      std::error_code ec;
      fs::remove(tmp, ec);
      throw std::runtime_error(file.string() + ": write failed (disk full?)");
    }
  }
  std::error_code ec;
  fs::rename(tmp, file, ec);
  if (ec) {
    fs::remove(tmp, ec);
    throw std::runtime_error(file.string() + ": cannot replace the session file: " + ec.message());
  }
}

EditSession load_session(const fs::path& file) {
  auto fail = [&](const std::string& why) { return SessionFileError(file.string() + ": " + why); };
  std::ifstream f(file, std::ios::binary);
  if (!f) throw fail("cannot open the session file");
  std::string data((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const size_t fixed = sizeof kMagic + 4 + 8;
  if (data.size() < fixed + 32 || std::memcmp(data.data(), kMagic, sizeof kMagic) != 0)
    throw fail("not a DeltaEdit session file");
  uint32_t version;
  uint64_t hlen;
  std::memcpy(&version, data.data() + sizeof kMagic, 4);
  std::memcpy(&hlen, data.data() + sizeof kMagic + 4, 8);
  if (version > EditSession::kFormatVersion)
    throw fail("made by a newer version of DeltaEdit Studio (format " + std::to_string(version) +
               ", this one reads up to " + std::to_string(EditSession::kFormatVersion) + ")");
  if (version == 0) throw fail("unknown format version 0");
  const size_t body = data.size() - 32;
  io::Sha256 sha;
  sha.update(data.data(), body);
  const auto digest = sha.digest();
  if (std::memcmp(digest.data(), data.data() + body, 32) != 0)
    throw fail("checksum mismatch: the file is truncated or was altered");
  if (hlen > body - fixed) throw fail("header length exceeds the file");

  EditSession s;
  json h;
  try {
    h = json::parse(data.begin() + fixed, data.begin() + fixed + static_cast<std::ptrdiff_t>(hlen));
    s.photo = h.at("photo").get<std::string>();
    s.aligned_input = h.at("aligned_input").get<bool>();
    s.face_index = h.at("face_index").get<int>();
    s.quad = h.at("quad").get<std::array<double, 8>>();
    for (const auto& e : h.at("edits"))
      s.edits.push_back({e.at("source").get<std::string>(), e.at("target").get<std::string>(),
                         e.at("strength").get<double>(), e.at("threshold").get<double>()});
  } catch (const json::exception& e) {
    throw fail(std::string("malformed header: ") + e.what());
  }
  size_t offset = fixed + hlen;
  auto take = [&](const char* name) -> torch::Tensor {
    std::vector<int64_t> shape = h.at("tensors").at(name).get<std::vector<int64_t>>();
    if (shape.empty()) return {};
    uint64_t n = 1;
    for (int64_t d : shape) {
      if (d < 0 || d > (int64_t(1) << 31)) throw fail(std::string("absurd shape for ") + name);
      n *= static_cast<uint64_t>(d);
      if (n > body) throw fail(std::string("tensor ") + name + " exceeds the file");
    }
    if (offset + n * sizeof(float) > body) throw fail(std::string("tensor ") + name + " exceeds the file");
    auto t = torch::empty(shape, torch::kFloat32);
    std::memcpy(t.data_ptr<float>(), data.data() + offset, n * sizeof(float));
    offset += n * sizeof(float);
    return t;
  };
  try {
    s.wplus = take("wplus");
    s.base_s = take("base_s");
    s.image_embedding = take("image_embedding");
  } catch (const json::exception& e) {
    throw fail(std::string("malformed header: ") + e.what());
  }
  if (offset != body) throw fail("unexpected bytes after the tensors");
  return s;
}

}  // namespace deltaedit::engine
