#pragma once
// Preferences: the models folder and the compute device. Changing either reloads the engine.
#include <QDialog>

class QComboBox;
class QLineEdit;

namespace deltaedit::ui {

class SettingsDialog : public QDialog {
  Q_OBJECT
 public:
  SettingsDialog(const QString& models_folder, const QString& device, QWidget* parent = nullptr);
  QString models_folder() const;
  QString device() const;  // "auto", "cpu" or "cuda"

 private:
  QLineEdit* folder_;
  QComboBox* device_;
};

}  // namespace deltaedit::ui
