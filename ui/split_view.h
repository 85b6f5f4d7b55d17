#pragma once
// Before/after viewer: a draggable split line (original left, edit right), or the two side by
// side; holding B or backslash shows the original alone. Wheel zooms about the cursor and a
// drag pans; both halves always share one zoom and pan, so they stay aligned.
#include <QImage>
#include <QPointF>
#include <QWidget>

namespace deltaedit::ui {

class SplitView : public QWidget {
  Q_OBJECT
 public:
  enum class Mode { Split, SideBySide, AfterOnly };

  explicit SplitView(QWidget* parent = nullptr);

  void set_before(const QImage& image);
  void set_after(const QImage& image);
  void clear();
  const QImage& before_image() const { return before_; }
  const QImage& after_image() const { return after_; }

  Mode mode() const { return mode_; }
  void set_mode(Mode mode);
  double split_fraction() const { return split_; }  // divider position in [0, 1] of the image
  void set_split_fraction(double fraction);
  bool showing_original() const { return show_original_; }
  void set_showing_original(bool on);

  double zoom() const { return zoom_; }   // 1 = fit to the view
  QPointF pan() const { return pan_; }    // offset in widget pixels
  void set_zoom(double zoom, QPointF anchor);  // keeps the image point under `anchor` fixed
  void reset_view();

  // The image rectangle(s) in widget coordinates (one per half in side-by-side mode).
  QRectF image_rect(int half = 0) const;

  QSize sizeHint() const override { return {640, 640}; }

 signals:
  void view_changed();

 protected:
  void paintEvent(QPaintEvent* event) override;
  void wheelEvent(QWheelEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  void mouseMoveEvent(QMouseEvent* event) override;
  void mouseReleaseEvent(QMouseEvent* event) override;
  void mouseDoubleClickEvent(QMouseEvent* event) override;
  void keyPressEvent(QKeyEvent* event) override;
  void keyReleaseEvent(QKeyEvent* event) override;
  void focusOutEvent(QFocusEvent* event) override;

 private:
  enum class Drag { None, Divider, Pan };
  QSizeF image_size() const;
  QRectF half_area(int half) const;
  double divider_x() const;
  bool near_divider(QPointF p) const;
  static bool is_original_key(int key);

  QImage before_, after_;
  Mode mode_ = Mode::Split;
  double split_ = 0.5;
  bool show_original_ = false;
  double zoom_ = 1.0;
  QPointF pan_;
  Drag drag_ = Drag::None;
  QPointF last_pos_;
};

}  // namespace deltaedit::ui
