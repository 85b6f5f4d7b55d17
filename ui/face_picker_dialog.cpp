#include "ui/face_picker_dialog.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace deltaedit::ui {

namespace {
constexpr int kThumb = 128;

// The detector box is tight around the features; widen it so a face is recognisable.
QImage thumbnail(const QImage& photo, const QRectF& box) {
  const QRectF wide = box.adjusted(-box.width() * 0.4, -box.height() * 0.5, box.width() * 0.4,
                                   box.height() * 0.3);
  const QRect crop = wide.toAlignedRect().intersected(photo.rect());
  return photo.copy(crop).scaled(kThumb, kThumb, Qt::KeepAspectRatio, Qt::SmoothTransformation);
}
}  // namespace

FacePickerDialog::FacePickerDialog(const QImage& photo, const QList<QRectF>& faces,
                                   QWidget* parent)
    : QDialog(parent) {
  setWindowTitle(tr("Choose a Face"));
  list_ = new QListWidget(this);
  list_->setViewMode(QListView::IconMode);
  list_->setIconSize({kThumb, kThumb});
  list_->setResizeMode(QListView::Adjust);
  list_->setMovement(QListView::Static);
  list_->setSpacing(8);
  for (int i = 0; i < faces.size(); ++i) {
    auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(thumbnail(photo, faces[i]))),
                                     tr("Face %1").arg(i + 1), list_);
    item->setData(Qt::UserRole, i);
  }
  list_->setCurrentRow(0);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
  buttons->button(QDialogButtonBox::Ok)->setText(tr("Edit This Face"));
  connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  connect(list_, &QListWidget::itemDoubleClicked, this, &QDialog::accept);

  auto* layout = new QVBoxLayout(this);
  layout->addWidget(new QLabel(tr("This photo shows %1 faces. Which one do you want to edit?")
                                   .arg(faces.size()),
                               this));
  layout->addWidget(list_, 1);
  layout->addWidget(buttons);
  resize(560, 360);
}

int FacePickerDialog::selected_face() const {
  const QListWidgetItem* item = list_->currentItem();
  return item ? item->data(Qt::UserRole).toInt() : -1;
}

}  // namespace deltaedit::ui
