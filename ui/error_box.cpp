#include "ui/error_box.h"

#include <QMessageBox>

namespace deltaedit::ui {

QMessageBox* show_error(QWidget* parent, const QString& title, const QString& message,
                        const QString& details) {
  // The title as the headline (window titles are easy to miss), the cause below it.
  auto* box = new QMessageBox(QMessageBox::Warning, title, QStringLiteral("<b>%1</b>")
                                                               .arg(title.toHtmlEscaped()),
                              QMessageBox::Ok, parent);
  box->setInformativeText(message);
  box->setObjectName(QStringLiteral("error_box"));
  box->setAttribute(Qt::WA_DeleteOnClose);
  if (!details.isEmpty()) box->setDetailedText(details);
  box->open();
  return box;
}

}  // namespace deltaedit::ui
