#include "ui/error_box.h"

#include <QMessageBox>

namespace deltaedit::ui {

QMessageBox* show_error(QWidget* parent, const QString& title, const QString& message,
                        const QString& details) {
  auto* box = new QMessageBox(QMessageBox::Warning, title, message, QMessageBox::Ok, parent);
  box->setObjectName(QStringLiteral("error_box"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  if (!details.isEmpty()) box->setDetailedText(details);
  box->open();
  return box;
}

}  // namespace deltaedit::ui
