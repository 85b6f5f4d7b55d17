#pragma once
// Shown instead of the editor when the model folder is incomplete or wrong: which files are
// missing, where they go and where to get them (the text comes from engine::check_models).
#include <QWidget>

class QLabel;
class QPlainTextEdit;

namespace deltaedit::ui {

class MissingModelsPage : public QWidget {
  Q_OBJECT
 public:
  explicit MissingModelsPage(QWidget* parent = nullptr);
  // folder: where the files go; report: engine::format_check_report; missing: file names.
  void show_report(const QString& folder, const QStringList& problems, const QString& report);
  QString report_text() const;

 signals:
  void choose_folder_requested();
  void retry_requested();
  void settings_requested();

 private:
  QLabel* headline_;
  QLabel* folder_;
  QPlainTextEdit* report_;
};

}  // namespace deltaedit::ui
