#pragma once
// The model folder: which files the editor needs, where they are, and whether they are right.
// Folder from --models, else $DELTAEDIT_MODELS, else the bundled default (models/demo next to
// the program's source or install prefix).
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace deltaedit::engine {

// What one file of a bundle is (from models/manifest.json).
struct ModelFileSpec {
  std::string role;          // "generator", "e4e", "mapper", "clip", "clip_vocab", "fs3", "dlib_predictor"
  std::string file_name;     // e.g. "stylegan2-ffhq-config-f.pt"
  std::string description;   // what it is
  std::string source;        // where to get it
  std::string licence;
  std::optional<uint64_t> size;        // expected bytes (official files)
  std::optional<std::string> sha256;   // expected checksum (official files)
};

// DeltaEdit's relevance threshold beta, the default for bundles that do not name their own.
inline constexpr double kDeltaEditThreshold = 0.03;

struct ModelPaths {
  std::filesystem::path folder;
  std::filesystem::path generator, e4e, mapper, clip, clip_vocab, fs3, dlib_predictor;
  // The bundle's recommended beta (manifest "defaults": {"threshold": B}): |fs3 · dt| depends on
  // the CLIP model and the relevance matrix, so a bundle of other networks may need another one.
  double default_threshold = kDeltaEditThreshold;
};

enum class FileState { Ok, Missing, WrongSize, WrongChecksum, Unreadable };

struct FileCheck {
  ModelFileSpec spec;
  std::filesystem::path path;
  FileState state = FileState::Missing;
  std::string detail;  // what is wrong and how to fix it
};

// Resolves the folder: explicit (may be empty) > $DELTAEDIT_MODELS > default_models_folder().
std::filesystem::path resolve_models_folder(const std::filesystem::path& explicit_folder = {});
std::filesystem::path default_models_folder();

// Paths of the bundle's files (a bundle may carry its own manifest.json naming its files;
// otherwise the official names are used) and its recommended settings. The dlib predictor falls
// back to Debian's copy. Throws std::runtime_error naming manifest.json when it is malformed.
ModelPaths locate_models(const std::filesystem::path& folder);

// Checks presence, size and (when `verify_checksums`) SHA-256 of every file.
std::vector<FileCheck> check_models(const std::filesystem::path& folder, bool verify_checksums);

// Human-readable report of check_models (one line per file + what to do).
std::string format_check_report(const std::vector<FileCheck>& checks);

}  // namespace deltaedit::engine
