#include "ui/document.h"

#include <stdexcept>

#include "ui/undo_commands.h"

namespace deltaedit::ui {

Document::Document(QObject* parent) : QObject(parent) {}

void Document::start(engine::EditSession session, const QString& file) {
  undo_.clear();
  session_ = std::move(session);
  file_ = file;
  undo_.setClean();
  emit started();
  emit changed();
}

void Document::close() {
  undo_.clear();
  session_.reset();
  file_.clear();
  emit closed();
}

void Document::set_session(const engine::EditSession& session) {
  session_ = session;
  emit changed();
}

void Document::apply_edit(const engine::EditStep& step) {
  if (!session_) return;
  engine::EditSession after = *session_;
  after.edits.push_back(step);
  undo_.push(new SessionCommand(this, tr("Apply %1").arg(describe_edit(step)), *session_, after));
}

void Document::set_strength(size_t edit, double strength) {
  if (!session_ || edit >= session_->edits.size()) return;
  if (session_->edits[edit].strength == strength) return;
  engine::EditSession after = *session_;
  after.edits[edit].strength = strength;
  undo_.push(new SessionCommand(this, tr("Strength %1").arg(strength, 0, 'f', 2), *session_, after));
}

void Document::set_threshold(size_t edit, double threshold) {
  if (!session_ || edit >= session_->edits.size()) return;
  if (session_->edits[edit].threshold == threshold) return;
  engine::EditSession after = *session_;
  after.edits[edit].threshold = threshold;
  undo_.push(
      new SessionCommand(this, tr("Threshold %1").arg(threshold, 0, 'f', 3), *session_, after));
}

void Document::remove_last_edit() {
  if (!session_ || session_->edits.empty()) return;
  engine::EditSession after = *session_;
  const engine::EditStep removed = after.edits.back();
  after.edits.pop_back();
  undo_.push(new SessionCommand(this, tr("Remove %1").arg(describe_edit(removed)), *session_, after));
}

void Document::reset_edits() {
  if (!session_ || session_->edits.empty()) return;
  engine::EditSession after = *session_;
  after.edits.clear();
  undo_.push(new SessionCommand(this, tr("Reset all edits"), *session_, after));
}

}  // namespace deltaedit::ui
