#include "ui/undo_commands.h"

#include "ui/document.h"

namespace deltaedit::ui {

SessionCommand::SessionCommand(Document* document, const QString& text,
                               engine::EditSession before, engine::EditSession after)
    : document_(document), before_(std::move(before)), after_(std::move(after)) {
  setText(text);
}

void SessionCommand::undo() { document_->set_session(before_); }
void SessionCommand::redo() { document_->set_session(after_); }

QString describe_edit(const engine::EditStep& step) {
  return QStringLiteral("\"%1\" → \"%2\"")
      .arg(QString::fromStdString(step.source), QString::fromStdString(step.target));
}

}  // namespace deltaedit::ui
