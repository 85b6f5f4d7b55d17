#include "ui/studio_settings.h"

#include <QSettings>

namespace deltaedit::ui {

QString StudioSettings::models_folder() const {
  return QSettings().value("models/folder").toString();
}

void StudioSettings::set_models_folder(const QString& folder) {
  QSettings().setValue("models/folder", folder);
}

QString StudioSettings::device() const {
  return QSettings().value("compute/device", "auto").toString();
}

void StudioSettings::set_device(const QString& device) {
  QSettings().setValue("compute/device", device);
}

QStringList StudioSettings::recent_files() const {
  return QSettings().value("recent/files").toStringList();
}

void StudioSettings::add_recent_file(const QString& file) {
  QStringList files = recent_files();
  files.removeAll(file);
  files.prepend(file);
  while (files.size() > kMaxRecentFiles) files.removeLast();
  QSettings().setValue("recent/files", files);
}

void StudioSettings::remove_recent_file(const QString& file) {
  QStringList files = recent_files();
  files.removeAll(file);
  QSettings().setValue("recent/files", files);
}

QList<PromptPair> StudioSettings::recent_prompts() const {
  QList<PromptPair> out;
  // Stored as "source\ttarget": prompts never contain tabs (the line edits are single-line).
  for (const QString& line : QSettings().value("recent/prompts").toStringList()) {
    const qsizetype tab = line.indexOf('\t');
    if (tab > 0) out.append({line.left(tab), line.mid(tab + 1)});
  }
  return out;
}

void StudioSettings::add_recent_prompt(const PromptPair& prompt) {
  QList<PromptPair> prompts = recent_prompts();
  prompts.removeAll(prompt);
  prompts.prepend(prompt);
  while (prompts.size() > kMaxRecentPrompts) prompts.removeLast();
  QStringList lines;
  for (const PromptPair& p : prompts) lines.append(p.source + '\t' + p.target);
  QSettings().setValue("recent/prompts", lines);
}

}  // namespace deltaedit::ui
