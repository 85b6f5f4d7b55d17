#include "app/cli/commands.h"

#include <iostream>
#include <sstream>

#include "app/cli/engine_setup.h"
#include "app/cli/exit_codes.h"
#include "app/cli/output_paths.h"
#include "app/cli/progress_line.h"
#include "core/engine/edit_session.h"
#include "core/face/image_io.h"
#include "core/io/model_inspect.h"

namespace deltaedit::cli {
namespace {

namespace fs = std::filesystem;

std::string number(double v) {
  std::ostringstream ss;
  ss << v;
  return ss.str();
}

// What the PNG remembers of the edit (tEXt chunks).
face::TextChunks edit_metadata(const engine::EditSession& session) {
  face::TextChunks t{{"Software", "DeltaEdit Studio"}, {"DeltaEdit:Photo", session.photo.string()}};
  for (size_t i = 0; i < session.edits.size(); ++i) {
    const auto& e = session.edits[i];
    const std::string k = "DeltaEdit:Edit" + std::to_string(i + 1);
    t.emplace_back(k + ":Source", e.source);
    t.emplace_back(k + ":Target", e.target);
    t.emplace_back(k + ":Strength", number(e.strength));
    t.emplace_back(k + ":Threshold", number(e.threshold));
  }
  return t;
}

// Renders the session's edits and writes the PNG (face crop or whole photo).
void write_result(engine::EditEngine& engine, const engine::EditSession& session, const fs::path& out,
                  bool crop, int resolution, bool overwrite) {
  const auto face_image = engine.render(session, engine.edited_s(session), resolution);
  const auto image = crop ? face_image : engine.paste_back(session, face_image);
  face::save_png(out, image, edit_metadata(session), overwrite);
}

bool want_crop(const ParsedArgs& args) {
  if (args.flag("crop") && args.flag("paste-back")) throw UsageError("--crop and --paste-back exclude each other");
  return args.flag("crop");
}

}  // namespace

int run_edit(const ParsedArgs& args) {
  const std::vector<std::string> photos(args.words.begin() + 1, args.words.end());
  if (photos.empty()) throw UsageError("edit: give at least one photo");
  const auto steps = edit_steps(args);
  if (steps.empty()) throw UsageError("edit: give at least one --target prompt");
  const bool crop = want_crop(args);
  const bool overwrite = args.flag("overwrite");
  const auto outs = output_paths(photos, args.value("output").value_or(""), "_edited", ".png", overwrite);
  auto engine = load_engine(args);
  engine::OpenOptions options{args.flag("aligned"), args.integer("face", 0)};
  ProgressLine progress(args.flag("quiet"));
  int failures = 0;
  for (size_t i = 0; i < photos.size(); ++i) {
    const std::string item = "[" + std::to_string(i + 1) + "/" + std::to_string(photos.size()) + "] " + photos[i];
    try {
      auto session = engine->open_photo(photos[i], options, [&](const std::string& stage, double f) {
        progress.update(item, stage, f * 0.8);
      });
      session.edits = steps;
      progress.update(item, "editing and rendering", 0.85);
      write_result(*engine, session, outs[i], crop, args.integer("resolution", 0), overwrite);
      progress.done(item + " -> " + outs[i].string());
    } catch (const std::exception& e) {
      progress.fail(item + ": " + e.what());
      ++failures;
    }
  }
  if (failures) std::cerr << failures << " of " << photos.size() << " photo(s) failed\n";
  return failures ? kInputProblem : kOk;
}

int run_invert(const ParsedArgs& args) {
  if (args.words.size() != 2) throw UsageError("invert: give exactly one photo");
  const auto outs = output_paths({args.words[1]}, args.value("output").value_or(""), "", ".deltaedit",
                                 args.flag("overwrite"));
  auto engine = load_engine(args);
  ProgressLine progress(args.flag("quiet"));
  auto session = engine->open_photo(args.words[1], {args.flag("aligned"), args.integer("face", 0)},
                                    [&](const std::string& st, double f) { progress.update(args.words[1], st, f); });
  session.edits = edit_steps(args);
  engine::save_session(outs[0], session);
  progress.done(args.words[1] + " -> " + outs[0].string());
  return kOk;
}

int run_render(const ParsedArgs& args) {
  if (args.words.size() != 2) throw UsageError("render: give exactly one session file");
  const auto outs = output_paths({args.words[1]}, args.value("output").value_or(""), "", ".png",
                                 args.flag("overwrite"));
  auto session = engine::load_session(args.words[1]);
  for (const auto& step : edit_steps(args)) session.edits.push_back(step);
  auto engine = load_engine(args);
  write_result(*engine, session, outs[0], want_crop(args), args.integer("resolution", 0), args.flag("overwrite"));
  std::cerr << args.words[1] << " -> " << outs[0].string() << "\n";
  return kOk;
}

int run_models_check(const ParsedArgs& args) {
  const auto folder = engine::resolve_models_folder(args.value("models").value_or(""));
  const auto checks = engine::check_models(folder, args.flag("verify-checksums"));
  std::cout << "models folder: " << folder.string() << "\n" << engine::format_check_report(checks);
  for (const auto& c : checks)
    if (c.state != engine::FileState::Ok) return kModelProblem;
  return kOk;
}

int run_models_inspect(const ParsedArgs& args) {
  if (args.words.size() != 3) throw UsageError("models inspect: give exactly one file");
  std::cout << io::describe_model_file(args.words[2]);
  return kOk;
}

}  // namespace deltaedit::cli
