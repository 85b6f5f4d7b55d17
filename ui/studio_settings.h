#pragma once
// The studio's persistent settings (QSettings): models folder, device, recent files and
// recent prompts. One place for the keys.
#include <QList>
#include <QString>
#include <QStringList>

#include "ui/prompt_panel.h"

namespace deltaedit::ui {

class StudioSettings {
 public:
  static constexpr int kMaxRecentFiles = 10;
  static constexpr int kMaxRecentPrompts = 12;

  QString models_folder() const;  // empty = automatic ($DELTAEDIT_MODELS, bundled demo)
  void set_models_folder(const QString& folder);
  QString device() const;         // "auto", "cpu", "cuda"
  void set_device(const QString& device);

  QStringList recent_files() const;
  void add_recent_file(const QString& file);  // most recent first, no duplicates
  void remove_recent_file(const QString& file);

  QList<PromptPair> recent_prompts() const;
  void add_recent_prompt(const PromptPair& prompt);
};

}  // namespace deltaedit::ui
