#pragma once
// Crash safety: after every change the session is written (atomically, by save_session) to the
// app data folder, next to a marker file naming this process. A clean exit removes both; a
// marker left behind by a process that is gone means it crashed, and its autosave is offered
// for recovery at the next start.
#include <QString>
#include <QStringList>

#include "core/engine/edit_session.h"

namespace deltaedit::ui {

class SessionAutosave {
 public:
  // folder: empty = QStandardPaths::AppDataLocation/autosave.
  explicit SessionAutosave(QString folder = {});

  // Claims this process's marker. Returns the autosave files left by crashed instances.
  QStringList begin();
  // Writes the session (throws std::runtime_error naming the file).
  void save(const engine::EditSession& session);
  // No document: nothing to recover.
  void clear();
  // Clean exit: removes this instance's autosave and marker.
  void finish();
  // After recovering (or declining) a leftover: removes it and its marker.
  static void discard(const QString& autosave_file);

  QString autosave_file() const;
  QString marker_file() const;
  QString folder() const { return folder_; }

 private:
  QString folder_;
  qint64 pid_;
  QString instance_;  // pid + start time + counter: unique per window, even in one process
};

}  // namespace deltaedit::ui
