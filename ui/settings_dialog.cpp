#include "ui/settings_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QPushButton>

namespace deltaedit::ui {

SettingsDialog::SettingsDialog(const QString& models_folder, const QString& device,
                               QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Settings"));
  folder_ = new QLineEdit(models_folder, this);
  folder_->setPlaceholderText(tr("automatic: $DELTAEDIT_MODELS or the bundled demo models"));
  auto* browse = new QPushButton(tr("Browse…"), this);
  connect(browse, &QPushButton::clicked, this, [this] {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Models folder"), folder_->text());
    if (!dir.isEmpty()) folder_->setText(dir);
  });
  auto* folder_row = new QHBoxLayout;
  folder_row->addWidget(folder_, 1);
  folder_row->addWidget(browse);

  device_ = new QComboBox(this);
  device_->addItem(tr("Automatic (GPU when available)"), "auto");
  device_->addItem(tr("CPU"), "cpu");
  device_->addItem(tr("CUDA GPU"), "cuda");
  device_->setCurrentIndex(std::max(0, device_->findData(device)));

  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);

  auto* form = new QFormLayout(this);
  form->addRow(tr("Models folder"), folder_row);
  form->addRow(tr("Device"), device_);
  form->addRow(buttons);
}

QString SettingsDialog::models_folder() const { return folder_->text().trimmed(); }
QString SettingsDialog::device() const { return device_->currentData().toString(); }

}  // namespace deltaedit::ui
