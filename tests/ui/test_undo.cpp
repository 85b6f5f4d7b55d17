// Undo/redo walks session values exactly; the history is one command per user action.
#include <QSignalSpy>
#include <QtTest>

#include "tests/ui/test_registry.h"
#include "ui/document.h"

using namespace deltaedit;
using namespace deltaedit::ui;

namespace {
engine::EditSession make_session() {
  engine::EditSession s;
  s.photo = "/photos/portrait.png";
  s.aligned_input = true;
  s.wplus = torch::randn({1, 10, 64});
  s.base_s = torch::randn({1, 544});
  s.image_embedding = torch::randn({1, 64});
  return s;
}
engine::EditStep step(const char* target, double strength = 1.0) {
  engine::EditStep e;
  e.target = target;
  e.strength = strength;
  return e;
}
}  // namespace

class UndoTest : public QObject {
  Q_OBJECT
 private slots:
  void walk_the_history() {
    Document doc;
    doc.start(make_session());
    const torch::Tensor base = doc.session().base_s;
    QSignalSpy changed(&doc, &Document::changed);
    doc.apply_edit(step("face with smile"));
    doc.set_strength(0, 2.0);
    doc.apply_edit(step("face with glasses"));
    doc.set_threshold(1, 0.1);
    doc.set_strength(1, -0.5);
    doc.set_strength(1, -0.5);  // no change: no step
    QCOMPARE(doc.undo_stack()->count(), 5);
    QCOMPARE(changed.size(), 5);

    std::vector<std::vector<engine::EditStep>> states;
    for (int i = 0; i <= doc.undo_stack()->count(); ++i) {
      doc.undo_stack()->setIndex(i);
      states.push_back(doc.session().edits);
    }
    QCOMPARE(states[0].size(), size_t(0));
    QVERIFY(states[1] == std::vector<engine::EditStep>{step("face with smile")});
    QVERIFY(states[2] == std::vector<engine::EditStep>{step("face with smile", 2.0)});
    engine::EditStep glasses = step("face with glasses");
    QVERIFY((states[3] == std::vector<engine::EditStep>{step("face with smile", 2.0), glasses}));
    glasses.threshold = 0.1;
    QVERIFY((states[4] == std::vector<engine::EditStep>{step("face with smile", 2.0), glasses}));
    glasses.strength = -0.5;
    QVERIFY((states[5] == std::vector<engine::EditStep>{step("face with smile", 2.0), glasses}));

    // Undo all the way and redo all the way, one step at a time.
    while (doc.undo_stack()->canUndo()) doc.undo_stack()->undo();
    QVERIFY(doc.session().edits.empty());
    for (int i = 1; i <= 5; ++i) {
      doc.undo_stack()->redo();
      QVERIFY(doc.session().edits == states[i]);
    }
    // The inversion is shared, never copied or altered by edits.
    QVERIFY(doc.session().base_s.is_same(base));

    doc.reset_edits();
    QVERIFY(doc.session().edits.empty());
    doc.undo_stack()->undo();
    QVERIFY(doc.session().edits == states[5]);
    // A new action after undo drops the redo branch.
    doc.undo_stack()->setIndex(2);
    doc.apply_edit(step("old face"));
    QCOMPARE(doc.undo_stack()->count(), 3);
    QCOMPARE(doc.session().edits.back().target, std::string("old face"));
  }

  void start_clears_history() {
    Document doc;
    doc.start(make_session());
    doc.apply_edit(step("face with smile"));
    QVERIFY(!doc.undo_stack()->isClean());
    doc.start(make_session(), "/tmp/x.deltaedit");
    QCOMPARE(doc.undo_stack()->count(), 0);
    QCOMPARE(doc.file(), QString("/tmp/x.deltaedit"));
    doc.close();
    QVERIFY(!doc.has_session());
  }
};

DELTAEDIT_REGISTER_QTEST(UndoTest);
#include "test_undo.moc"
