#pragma once
// The text edit request: a neutral (source) prompt, a target prompt, suggested edits and the
// user's recent prompts. Apply asks for the edit; the panel never talks to the engine.
#include <QStringList>
#include <QWidget>

class QLineEdit;
class QListWidget;
class QPushButton;

namespace deltaedit::ui {

struct PromptPair {
  QString source;
  QString target;
  bool operator==(const PromptPair&) const = default;
};

class PromptPanel : public QWidget {
  Q_OBJECT
 public:
  explicit PromptPanel(QWidget* parent = nullptr);

  // Suggested edits: (label, target prompt) with source "face".
  static QList<QPair<QString, QString>> suggestions();

  QString source() const;
  QString target() const;
  void set_prompts(const QString& source, const QString& target);
  void set_recent(const QList<PromptPair>& recent);

  QLineEdit* source_edit() const { return source_; }
  QLineEdit* target_edit() const { return target_; }
  QPushButton* apply_button() const { return apply_; }
  QListWidget* suggestion_list() const { return suggestions_; }
  QListWidget* recent_list() const { return recent_; }

 signals:
  void apply_requested(const QString& source, const QString& target);

 private:
  void update_apply();
  void apply();

  QLineEdit* source_;
  QLineEdit* target_;
  QListWidget* suggestions_;
  QListWidget* recent_;
  QPushButton* apply_;
};

}  // namespace deltaedit::ui
