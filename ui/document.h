#pragma once
// The open document: the current edit session (a value) and the undo stack whose commands
// move between session values. Everything that shows the session listens to changed().
#include <optional>

#include <QObject>
#include <QString>
#include <QUndoStack>

#include "core/engine/edit_session.h"

namespace deltaedit::ui {

class Document : public QObject {
  Q_OBJECT
 public:
  explicit Document(QObject* parent = nullptr);

  bool has_session() const { return session_.has_value(); }
  // Precondition: has_session().
  const engine::EditSession& session() const { return *session_; }
  QUndoStack* undo_stack() { return &undo_; }

  // A fresh document (new photo or opened session file): clears the history.
  void start(engine::EditSession session, const QString& file = {});
  void close();
  // The session file it was saved to / opened from (empty for a new photo).
  QString file() const { return file_; }
  void set_file(const QString& file) { file_ = file; }

  // Called by the undo commands only: moves to another state without touching the history.
  void set_session(const engine::EditSession& session);

  // Undoable changes (push one command each).
  void apply_edit(const engine::EditStep& step);
  void set_strength(size_t edit, double strength);
  void set_threshold(size_t edit, double threshold);
  void remove_last_edit();
  void reset_edits();

 signals:
  void started();
  void changed();
  void closed();

 private:
  std::optional<engine::EditSession> session_;
  QString file_;
  QUndoStack undo_;
};

}  // namespace deltaedit::ui
