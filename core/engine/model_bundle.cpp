#include "core/engine/model_bundle.h"

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/io/sha256.h"

namespace deltaedit::engine {
namespace {

#include "official_manifest.inc"

namespace fs = std::filesystem;
using nlohmann::json;

const char* kDebianPredictor = "/usr/share/dlib/shape_predictor_68_face_landmarks.dat";

struct Manifest {
  std::vector<ModelFileSpec> files;
  double threshold = kDeltaEditThreshold;
};

Manifest parse_manifest(const json& j) {
  Manifest m;
  if (j.contains("defaults")) {
    const json& d = j.at("defaults");
    if (d.contains("threshold")) {
      m.threshold = d.at("threshold").get<double>();
      if (!std::isfinite(m.threshold) || m.threshold < 0 || m.threshold > 1)
        throw std::invalid_argument("defaults.threshold must be in [0, 1], not " + d.at("threshold").dump());
    }
  }
  std::vector<ModelFileSpec>& specs = m.files;
  for (const auto& f : j.at("files")) {
    ModelFileSpec s;
    s.role = f.at("role").get<std::string>();
    s.file_name = f.at("file").get<std::string>();
    s.description = f.value("what", "");
    s.source = f.value("source", "");
    s.licence = f.value("licence", "");
    if (f.contains("size") && f["size"].is_number_unsigned()) s.size = f["size"].get<uint64_t>();
    if (f.contains("sha256") && f["sha256"].is_string()) s.sha256 = f["sha256"].get<std::string>();
    specs.push_back(std::move(s));
  }
  return m;
}

// The folder's own manifest.json (demo bundle, test bundles), else the official one.
Manifest manifest_for(const fs::path& folder) {
  const fs::path own = folder / "manifest.json";
  if (fs::is_regular_file(own)) {
    std::ifstream in(own);
    try {
      return parse_manifest(json::parse(in));
    } catch (const std::exception& e) {
      throw std::runtime_error(own.string() + ": not a valid bundle manifest: " + e.what());
    }
  }
  return parse_manifest(json::parse(kOfficialManifest));
}

bool complete(const fs::path& folder) {
  for (const auto& c : check_models(folder, false))
    if (c.state != FileState::Ok) return false;
  return true;
}

}  // namespace

fs::path default_models_folder() {
  const fs::path root = DELTAEDIT_SOURCE_MODELS;
  // The user's official files win once they are all there; else our demo bundle.
  if (complete(root / "ffhq")) return root / "ffhq";
  if (fs::is_directory(root / "demo")) return root / "demo";
  return root / "ffhq";
}

fs::path resolve_models_folder(const fs::path& explicit_folder) {
  if (!explicit_folder.empty()) return explicit_folder;
  if (const char* env = std::getenv("DELTAEDIT_MODELS"); env && *env) return fs::path(env);
  return default_models_folder();
}

ModelPaths locate_models(const fs::path& folder) {
  ModelPaths p;
  p.folder = folder;
  std::map<std::string, fs::path*> slots = {
      {"generator", &p.generator}, {"e4e", &p.e4e},   {"mapper", &p.mapper},
      {"clip", &p.clip},           {"clip_vocab", &p.clip_vocab}, {"fs3", &p.fs3},
      {"dlib_predictor", &p.dlib_predictor}};
  const Manifest manifest = manifest_for(folder);
  p.default_threshold = manifest.threshold;
  for (const auto& spec : manifest.files)
    if (auto it = slots.find(spec.role); it != slots.end()) *it->second = folder / spec.file_name;
  if (p.dlib_predictor.empty() || !fs::exists(p.dlib_predictor)) {
    if (const char* env = std::getenv("DELTAEDIT_DLIB_PREDICTOR"); env && *env)
      p.dlib_predictor = env;
    else if (fs::exists(kDebianPredictor))
      p.dlib_predictor = kDebianPredictor;
  }
  return p;
}

std::vector<FileCheck> check_models(const fs::path& folder, bool verify_checksums) {
  std::vector<FileCheck> out;
  const ModelPaths paths = locate_models(folder);
  for (const auto& spec : manifest_for(folder).files) {
    FileCheck c;
    c.spec = spec;
    c.path = spec.role == "dlib_predictor" ? paths.dlib_predictor : folder / spec.file_name;
    std::error_code ec;
    if (c.path.empty() || !fs::is_regular_file(c.path, ec)) {
      c.state = FileState::Missing;
      c.detail = "missing: put '" + spec.file_name + "' in " + folder.string() +
                 (spec.source.empty() ? "" : " (get it from: " + spec.source + ")");
    } else if (auto size = fs::file_size(c.path, ec); ec) {
      c.state = FileState::Unreadable;
      c.detail = "cannot read: " + ec.message();
    } else if (spec.size && size != *spec.size) {
      c.state = FileState::WrongSize;
      c.detail = "size " + std::to_string(size) + " bytes, expected " +
                 std::to_string(*spec.size) + ": the download is incomplete or a different file";
    } else if (verify_checksums && spec.sha256) {
      try {
        const std::string got = io::sha256_file(c.path);
        if (got != *spec.sha256) {
          c.state = FileState::WrongChecksum;
          c.detail = "SHA-256 " + got + " differs from the expected " + *spec.sha256 +
                     ": the file is corrupt or a different version; download it again";
        } else {
          c.state = FileState::Ok;
          c.detail = "ok (SHA-256 verified)";
        }
      } catch (const std::exception& e) {
        c.state = FileState::Unreadable;
        c.detail = e.what();
      }
    } else {
      c.state = FileState::Ok;
      c.detail = spec.sha256 ? "ok (size; checksum not verified)"
                             : (spec.size ? "ok (size verified)" : "present (contents are checked at load)");
    }
    out.push_back(std::move(c));
  }
  return out;
}

std::string format_check_report(const std::vector<FileCheck>& checks) {
  std::ostringstream ss;
  int bad = 0;
  for (const auto& c : checks) {
    const char* tag = c.state == FileState::Ok ? "ok     " : c.state == FileState::Missing ? "MISSING" : "WRONG  ";
    if (c.state != FileState::Ok) ++bad;
    ss << tag << "  " << c.spec.role << ": " << c.path.string() << "\n         " << c.detail << "\n";
    if (c.state != FileState::Ok && !c.spec.licence.empty())
      ss << "         licence: " << c.spec.licence << "\n";
  }
  ss << (bad == 0 ? "all model files present\n" : std::to_string(bad) + " file(s) need attention\n");
  return ss.str();
}

}  // namespace deltaedit::engine
