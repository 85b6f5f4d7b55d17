#pragma once
// Renders the studio's main states to PNGs (for the docs and for looking at the UI without a
// display): empty window, photo loaded, editing with the split view, side by side, an error
// dialog, and the missing-models page. Runs the real window with the real engine.
#include <QString>

namespace deltaedit::ui {

struct ScreenshotOptions {
  QString out_dir;
  QString photo;           // a portrait to open
  bool aligned = false;    // the photo is an aligned crop
  QString models_folder;   // empty: the usual resolution
  QString device;
  QString target = QStringLiteral("face with smile");
  double strength = 2.0;
};

// Returns 0 on success; prints what it wrote or what failed.
int run_screenshot_tour(const ScreenshotOptions& options);

}  // namespace deltaedit::ui
