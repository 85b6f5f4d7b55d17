#pragma once
// Several faces in a photo: thumbnails of each (largest first) to pick the one to edit.
#include <QDialog>
#include <QImage>
#include <QList>
#include <QRectF>

class QListWidget;

namespace deltaedit::ui {

class FacePickerDialog : public QDialog {
  Q_OBJECT
 public:
  FacePickerDialog(const QImage& photo, const QList<QRectF>& faces, QWidget* parent = nullptr);
  int selected_face() const;  // index into faces, -1 when none
  QListWidget* list() const { return list_; }

 private:
  QListWidget* list_;
};

}  // namespace deltaedit::ui
