#pragma once
// PNG export: the edited aligned face, or the whole photo with the face pasted back, with the
// prompts and strengths stored as PNG text chunks so the file says how it was made.
#include <filesystem>

#include "core/engine/edit_engine.h"
#include "core/face/png_text.h"

namespace deltaedit::ui {

struct ExportOptions {
  bool full_photo = false;  // paste the face back into the original photo
  bool overwrite = false;   // only after the user agreed to replace the file
};

// Keys: "Software", "Description" (readable), "DeltaEdit:edits" (JSON list of
// {source, target, strength, threshold}), "DeltaEdit:photo".
face::TextChunks export_metadata(const engine::EditSession& session);

// Renders at full resolution and writes the PNG (atomically; refuses an existing file unless
// options.overwrite). Throws with the cause.
void export_png(engine::EditEngine& engine, const engine::EditSession& session,
                const std::filesystem::path& file, const ExportOptions& options);

}  // namespace deltaedit::ui
