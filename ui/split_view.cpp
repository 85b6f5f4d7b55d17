#include "ui/split_view.h"

#include <algorithm>
#include <cmath>

#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QWheelEvent>

namespace deltaedit::ui {

namespace {
constexpr double kMinZoom = 0.25;
constexpr double kMaxZoom = 32.0;
constexpr double kDividerGrab = 6.0;  // px either side of the line that grab it
}  // namespace

SplitView::SplitView(QWidget* parent) : QWidget(parent) {
  setFocusPolicy(Qt::StrongFocus);
  setMouseTracking(true);
  setMinimumSize(160, 160);
  setAutoFillBackground(false);
}

void SplitView::set_before(const QImage& image) {
  before_ = image;
  update();
}

void SplitView::set_after(const QImage& image) {
  after_ = image;
  update();
}

void SplitView::clear() {
  before_ = {};
  after_ = {};
  reset_view();
}

void SplitView::set_mode(Mode mode) {
  mode_ = mode;
  update();
  emit view_changed();
}

void SplitView::set_split_fraction(double fraction) {
  split_ = std::clamp(fraction, 0.0, 1.0);
  update();
  emit view_changed();
}

void SplitView::set_showing_original(bool on) {
  if (show_original_ == on) return;
  show_original_ = on;
  update();
  emit view_changed();
}

void SplitView::reset_view() {
  zoom_ = 1.0;
  pan_ = {};
  update();
  emit view_changed();
}

QSizeF SplitView::image_size() const {
  // Both images show the same face; preview frames are smaller and are drawn scaled up, so
  // the reference size is whichever is known (they are drawn into the same rectangle).
  if (!after_.isNull()) return after_.size();
  if (!before_.isNull()) return before_.size();
  return {1, 1};
}

QRectF SplitView::half_area(int half) const {
  const QRectF all = rect();
  if (mode_ != Mode::SideBySide || show_original_) return all;
  const double w = all.width() / 2.0;
  return {all.left() + half * w, all.top(), w, all.height()};
}

QRectF SplitView::image_rect(int half) const {
  const QRectF area = half_area(half);
  const QSizeF s = image_size();
  const double fit = std::min(area.width() / s.width(), area.height() / s.height());
  const QSizeF shown = s * fit * zoom_;
  const QPointF centre = area.center() + pan_;
  return {centre.x() - shown.width() / 2, centre.y() - shown.height() / 2, shown.width(),
          shown.height()};
}

double SplitView::divider_x() const {
  const QRectF r = image_rect(0);
  return r.left() + split_ * r.width();
}

bool SplitView::near_divider(QPointF p) const {
  return mode_ == Mode::Split && !show_original_ && !before_.isNull() && !after_.isNull() &&
         std::abs(p.x() - divider_x()) <= kDividerGrab;
}

void SplitView::paintEvent(QPaintEvent*) {
  QPainter p(this);
  p.fillRect(rect(), palette().color(QPalette::Dark));
  p.setRenderHint(QPainter::SmoothPixmapTransform, zoom_ < 2.0);
  if (before_.isNull() && after_.isNull()) return;

  const QImage& after = after_.isNull() ? before_ : after_;
  if (show_original_ || mode_ == Mode::AfterOnly) {
    const QImage& shown = show_original_ ? before_ : after;
    p.drawImage(image_rect(0), shown);
    if (show_original_) {
      p.setPen(Qt::white);
      p.drawText(rect().adjusted(8, 8, -8, -8), Qt::AlignTop | Qt::AlignLeft, tr("Original"));
    }
    return;
  }
  if (mode_ == Mode::SideBySide) {
    for (int half = 0; half < 2; ++half) {
      p.save();
      p.setClipRect(half_area(half));
      p.drawImage(image_rect(half), half == 0 ? before_ : after);
      p.restore();
    }
    p.setPen(QPen(palette().color(QPalette::Window), 2));
    p.drawLine(QPointF(width() / 2.0, 0), QPointF(width() / 2.0, height()));
    return;
  }
  // Split: one rectangle, the original left of the divider and the edit right of it.
  const QRectF r = image_rect(0);
  const double x = divider_x();
  p.save();
  p.setClipRect(QRectF(QPointF(rect().left(), rect().top()), QPointF(x, rect().bottom() + 1)));
  p.drawImage(r, before_.isNull() ? after : before_);
  p.restore();
  p.save();
  p.setClipRect(QRectF(QPointF(x, rect().top()), QPointF(rect().right() + 1, rect().bottom() + 1)));
  p.drawImage(r, after);
  p.restore();
  p.setPen(QPen(Qt::white, 2));
  p.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()));
  p.setBrush(Qt::white);
  p.drawEllipse(QPointF(x, r.center().y()), 5, 5);
}

void SplitView::set_zoom(double zoom, QPointF anchor) {
  zoom = std::clamp(zoom, kMinZoom, kMaxZoom);
  // Keep the image point under the anchor where it is: the image centre moves by the
  // anchor-to-centre vector scaled by the zoom ratio.
  const QPointF centre = half_area(0).center() + pan_;
  const double ratio = zoom / zoom_;
  const QPointF new_centre = anchor + (centre - anchor) * ratio;
  pan_ = new_centre - half_area(0).center();
  zoom_ = zoom;
  update();
  emit view_changed();
}

void SplitView::wheelEvent(QWheelEvent* event) {
  const double steps = event->angleDelta().y() / 120.0;
  if (steps == 0) return;
  QPointF anchor = event->position();
  if (mode_ == Mode::SideBySide && !show_original_ && anchor.x() >= width() / 2.0)
    anchor.rx() -= width() / 2.0;  // same point of the image in the left half's coordinates
  set_zoom(zoom_ * std::pow(1.25, steps), anchor);
  event->accept();
}

void SplitView::mousePressEvent(QMouseEvent* event) {
  if (event->button() != Qt::LeftButton) return;
  last_pos_ = event->position();
  drag_ = near_divider(last_pos_) ? Drag::Divider : Drag::Pan;
  if (drag_ == Drag::Pan) setCursor(Qt::ClosedHandCursor);
}

void SplitView::mouseMoveEvent(QMouseEvent* event) {
  const QPointF pos = event->position();
  if (drag_ == Drag::Divider) {
    const QRectF r = image_rect(0);
    set_split_fraction((pos.x() - r.left()) / std::max(1.0, r.width()));
  } else if (drag_ == Drag::Pan) {
    pan_ += pos - last_pos_;
    update();
    emit view_changed();
  } else {
    setCursor(near_divider(pos) ? Qt::SplitHCursor : Qt::ArrowCursor);
  }
  last_pos_ = pos;
}

void SplitView::mouseReleaseEvent(QMouseEvent*) {
  drag_ = Drag::None;
  unsetCursor();
}

void SplitView::mouseDoubleClickEvent(QMouseEvent*) { reset_view(); }

bool SplitView::is_original_key(int key) { return key == Qt::Key_B || key == Qt::Key_Backslash; }

void SplitView::keyPressEvent(QKeyEvent* event) {
  if (is_original_key(event->key())) {
    if (!event->isAutoRepeat()) set_showing_original(true);
    event->accept();
    return;
  }
  QWidget::keyPressEvent(event);
}

void SplitView::keyReleaseEvent(QKeyEvent* event) {
  if (is_original_key(event->key())) {
    if (!event->isAutoRepeat()) set_showing_original(false);
    event->accept();
    return;
  }
  QWidget::keyReleaseEvent(event);
}

void SplitView::focusOutEvent(QFocusEvent* event) {
  set_showing_original(false);  // a key released elsewhere must not leave the original stuck
  QWidget::focusOutEvent(event);
}

}  // namespace deltaedit::ui
