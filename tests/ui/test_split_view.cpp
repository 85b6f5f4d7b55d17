// The before/after view: which image shows where, the held key, shared zoom and pan.
#include <QtTest>

#include "tests/ui/test_registry.h"
#include "ui/split_view.h"

using namespace deltaedit::ui;

namespace {
QImage solid(QColor c, int side = 64) {
  QImage image(side, side, QImage::Format_RGB888);
  image.fill(c);
  return image;
}
QColor pixel_at(SplitView& view, QPointF p) {
  return view.grab().toImage().pixelColor(p.toPoint());
}
}  // namespace

class SplitViewTest : public QObject {
  Q_OBJECT
 private slots:
  void split_shows_before_left_after_right() {
    SplitView view;
    view.resize(400, 400);
    view.set_before(solid(Qt::red));
    view.set_after(solid(Qt::blue));
    const QRectF r = view.image_rect();
    QCOMPARE(r, QRectF(0, 0, 400, 400));  // fit: a square image fills a square view
    QCOMPARE(pixel_at(view, {100, 200}), QColor(Qt::red));
    QCOMPARE(pixel_at(view, {300, 200}), QColor(Qt::blue));
    view.set_split_fraction(0.25);
    QCOMPARE(pixel_at(view, {150, 200}), QColor(Qt::blue));
    QCOMPARE(pixel_at(view, {50, 200}), QColor(Qt::red));
  }

  void divider_drags_with_the_mouse() {
    SplitView view;
    view.resize(400, 400);
    view.set_before(solid(Qt::red));
    view.set_after(solid(Qt::blue));
    QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(200, 100));
    QTest::mouseMove(&view, QPoint(300, 100));
    QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(300, 100));
    QCOMPARE(view.split_fraction(), 0.75);
    QCOMPARE(view.pan(), QPointF());  // grabbing the divider does not pan
  }

  void held_key_shows_original() {
    SplitView view;
    view.resize(200, 200);
    view.set_before(solid(Qt::red));
    view.set_after(solid(Qt::blue));
    view.set_split_fraction(0.0);  // all "after"
    QCOMPARE(pixel_at(view, {150, 150}), QColor(Qt::blue));
    QTest::keyPress(&view, Qt::Key_Backslash);
    QVERIFY(view.showing_original());
    QCOMPARE(pixel_at(view, {150, 150}), QColor(Qt::red));
    QTest::keyRelease(&view, Qt::Key_Backslash);
    QVERIFY(!view.showing_original());
    QTest::keyPress(&view, Qt::Key_B);
    QVERIFY(view.showing_original());
    QTest::keyRelease(&view, Qt::Key_B);
    QCOMPARE(pixel_at(view, {150, 150}), QColor(Qt::blue));
  }

  void side_by_side_halves_share_zoom_and_pan() {
    SplitView view;
    view.resize(400, 200);
    QImage before = solid(Qt::red), after = solid(Qt::blue);
    view.set_before(before);
    view.set_after(after);
    view.set_mode(SplitView::Mode::SideBySide);
    QCOMPARE(pixel_at(view, {100, 100}), QColor(Qt::red));
    QCOMPARE(pixel_at(view, {300, 100}), QColor(Qt::blue));
    // Wheel over the right half zooms both halves about the same image point.
    QWheelEvent wheel(QPointF(330, 80), QPointF(330, 80), {}, QPoint(0, 240), Qt::NoButton,
                      Qt::NoModifier, Qt::NoScrollPhase, false);
    QApplication::sendEvent(&view, &wheel);
    QCOMPARE(view.zoom(), 1.25 * 1.25);
    const QRectF left = view.image_rect(0), right = view.image_rect(1);
    QCOMPARE(left.size(), right.size());
    QCOMPARE(right.topLeft() - left.topLeft(), QPointF(200, 0));
    // The image point under the cursor (right half) stayed put.
    const QPointF anchor_in_left(130, 80);
    const QRectF unzoomed(0, 0, 200, 200);
    const QPointF rel((anchor_in_left.x() - unzoomed.left()) / unzoomed.width(),
                      (anchor_in_left.y() - unzoomed.top()) / unzoomed.height());
    QCOMPARE(left.left() + rel.x() * left.width(), anchor_in_left.x());
    QCOMPARE(left.top() + rel.y() * left.height(), anchor_in_left.y());
    // A drag in either half pans both.
    QTest::mousePress(&view, Qt::LeftButton, {}, QPoint(300, 100));
    QTest::mouseMove(&view, QPoint(310, 90));
    QTest::mouseRelease(&view, Qt::LeftButton, {}, QPoint(310, 90));
    QCOMPARE(view.image_rect(0).topLeft(), left.topLeft() + QPointF(10, -10));
    QCOMPARE(view.image_rect(1).topLeft(), right.topLeft() + QPointF(10, -10));
    view.reset_view();
    QCOMPARE(view.zoom(), 1.0);
    QCOMPARE(view.pan(), QPointF());
  }

  void preview_frames_fill_the_same_rect() {
    SplitView view;
    view.resize(300, 300);
    view.set_before(solid(Qt::red, 64));
    view.set_after(solid(Qt::blue, 16));  // preview resolution
    view.set_split_fraction(0.0);
    QCOMPARE(pixel_at(view, {5, 5}), QColor(Qt::blue));
    QCOMPARE(pixel_at(view, {295, 295}), QColor(Qt::blue));
  }
};

DELTAEDIT_REGISTER_QTEST(SplitViewTest);
#include "test_split_view.moc"
