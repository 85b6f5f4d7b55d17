#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QtTest>

#include "tests/ui/test_registry.h"
#include "ui/prompt_panel.h"
#include "ui/studio_settings.h"

using namespace deltaedit::ui;

class PromptPanelTest : public QObject {
  Q_OBJECT
 private slots:
  void suggestion_fills_target_and_apply_emits() {
    PromptPanel panel;
    QSignalSpy apply(&panel, &PromptPanel::apply_requested);
    QVERIFY(!panel.apply_button()->isEnabled());  // no target yet
    QListWidgetItem* smile = panel.suggestion_list()->item(0);
    QVERIFY(panel.suggestion_list()->count() >= 10);
    emit panel.suggestion_list()->itemClicked(smile);
    QCOMPARE(panel.source(), QString("face"));
    QCOMPARE(panel.target(), QString("face with smile"));
    QVERIFY(panel.apply_button()->isEnabled());
    QTest::mouseClick(panel.apply_button(), Qt::LeftButton);
    QCOMPARE(apply.size(), 1);
    QCOMPARE(apply.at(0).at(1).toString(), QString("face with smile"));
  }

  void typed_prompts_apply_on_return() {
    PromptPanel panel;
    QSignalSpy apply(&panel, &PromptPanel::apply_requested);
    panel.source_edit()->setText("  face ");
    QTest::keyClicks(panel.target_edit(), "face with glasses");
    QTest::keyClick(panel.target_edit(), Qt::Key_Return);
    QCOMPARE(apply.size(), 1);
    QCOMPARE(apply.at(0).at(0).toString(), QString("face"));
    panel.target_edit()->setText("face");  // same as the source: nothing to edit
    QVERIFY(!panel.apply_button()->isEnabled());
  }

  void recent_prompts_round_trip_through_settings() {
    StudioSettings settings;
    for (int i = 0; i < StudioSettings::kMaxRecentPrompts + 3; ++i)
      settings.add_recent_prompt({"face", QString("target %1").arg(i)});
    settings.add_recent_prompt({"face", "target 5"});  // moves to the front, no duplicate
    const QList<PromptPair> recent = settings.recent_prompts();
    QCOMPARE(recent.size(), StudioSettings::kMaxRecentPrompts);
    QCOMPARE(recent.front().target, QString("target 5"));
    QCOMPARE(recent.count(PromptPair{"face", "target 5"}), 1);
    PromptPanel panel;
    panel.set_recent(recent);
    QCOMPARE(panel.recent_list()->count(), StudioSettings::kMaxRecentPrompts);
    emit panel.recent_list()->itemClicked(panel.recent_list()->item(0));
    QCOMPARE(panel.target(), QString("target 5"));
  }
};

DELTAEDIT_REGISTER_QTEST(PromptPanelTest);
#include "test_prompt_panel.moc"
