// The strength control: a drag previews every value and commits once, on release.
#include <QDoubleSpinBox>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include "tests/ui/test_registry.h"
#include "ui/strength_control.h"

using namespace deltaedit::ui;

class StrengthControlTest : public QObject {
  Q_OBJECT
 private slots:
  void drag_previews_then_commits_once() {
    StrengthControl control;
    QSignalSpy previews(&control, &StrengthControl::preview_requested);
    QSignalSpy commits(&control, &StrengthControl::committed);
    control.slider()->setSliderDown(true);
    for (int v = 100; v <= 250; v += 5) control.slider()->setValue(v);
    QCOMPARE(previews.size(), 30);
    QCOMPARE(control.spin_box()->value(), 2.5);
    QTest::qWait(StrengthControl::kSettleMs + 100);
    QCOMPARE(commits.size(), 0);  // still dragging
    control.slider()->setSliderDown(false);
    QCOMPARE(commits.size(), 1);
    QCOMPARE(commits.at(0).at(0).toDouble(), 2.5);
  }

  void typed_value_commits_after_settling() {
    StrengthControl control;
    QSignalSpy commits(&control, &StrengthControl::committed);
    control.spin_box()->setValue(-0.75);
    QCOMPARE(control.slider()->value(), -75);
    QCOMPARE(commits.size(), 0);
    QTRY_COMPARE(commits.size(), 1);
    QCOMPARE(commits.at(0).at(0).toDouble(), -0.75);
  }

  void keyboard_steps_merge_into_one_commit() {
    StrengthControl control;
    control.show();
    QSignalSpy commits(&control, &StrengthControl::committed);
    for (int i = 0; i < 4; ++i) QTest::keyClick(control.slider(), Qt::Key_Right);
    QTRY_COMPARE(commits.size(), 1);
    QCOMPARE(commits.at(0).at(0).toDouble(), 1.2);
  }

  void double_click_resets_to_one() {
    StrengthControl control;
    control.show_values(2.0, 0.05);
    QCOMPARE(control.slider()->value(), 200);
    QCOMPARE(control.threshold(), 0.05);
    QSignalSpy commits(&control, &StrengthControl::committed);
    QTest::mouseDClick(control.slider(), Qt::LeftButton);
    QCOMPARE(commits.size(), 1);
    QCOMPARE(commits.at(0).at(0).toDouble(), 1.0);
    QCOMPARE(control.spin_box()->value(), 1.0);
  }

  void show_values_emits_nothing() {
    StrengthControl control;
    QSignalSpy previews(&control, &StrengthControl::preview_requested);
    QSignalSpy commits(&control, &StrengthControl::committed);
    QSignalSpy thresholds(&control, &StrengthControl::threshold_committed);
    control.show_values(-1.5, 0.1);
    QTest::qWait(StrengthControl::kSettleMs + 50);
    QCOMPARE(previews.size() + commits.size() + thresholds.size(), 0);
    QCOMPARE(control.strength(), -1.5);
  }
};

DELTAEDIT_REGISTER_QTEST(StrengthControlTest);
#include "test_strength_control.moc"
