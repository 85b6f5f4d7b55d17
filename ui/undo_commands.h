#pragma once
// Undo commands store whole session values (before/after): a session is a few small tensors
// shared by reference plus the edit list, so a snapshot is cheap and undo/redo is exact.
// A slider drag is pushed once, on release (or when a keyboard/wheel change settles), so one
// gesture is one step without any merging.
#include <QUndoCommand>

#include "core/engine/edit_session.h"

namespace deltaedit::ui {

class Document;

class SessionCommand : public QUndoCommand {
 public:
  SessionCommand(Document* document, const QString& text, engine::EditSession before,
                 engine::EditSession after);
  void undo() override;
  void redo() override;

  const engine::EditSession& before() const { return before_; }
  const engine::EditSession& after() const { return after_; }

 protected:
  Document* document_;
  engine::EditSession before_;
  engine::EditSession after_;
};

QString describe_edit(const engine::EditStep& step);

}  // namespace deltaedit::ui
