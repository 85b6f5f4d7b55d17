#pragma once
// Errors are shown as window-modal message boxes that never block the caller (open(), not
// exec()): the event loop keeps running and tests can find and read them.
#include <QString>

class QMessageBox;
class QWidget;

namespace deltaedit::ui {

QMessageBox* show_error(QWidget* parent, const QString& title, const QString& message,
                        const QString& details = {});

}  // namespace deltaedit::ui
