#pragma once
// A model folder made of the small reference fixture models (symlinks + a bundle manifest), so
// the engine, CLI and GUI tests run the whole pipeline on them.
#include <filesystem>

namespace deltaedit::testing {

// Creates `dir` (if needed) with generator.pt, e4e.pt, mapper.pt, clip.pt, the BPE vocabulary,
// fs3.npy and a manifest.json naming them. Returns `dir`. Requires the fixtures.
std::filesystem::path make_fixture_model_bundle(const std::filesystem::path& dir);

}  // namespace deltaedit::testing
