// A whole editing session through the main window on the small fixture models: open an aligned
// portrait, apply prompts, drag the strength slider, undo/redo, export, save/reopen, crash and
// recover. Every displayed frame is checked against the engine's own render.
#include <QAction>
#include <QDir>
#include <QDropEvent>
#include <QMimeData>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSlider>
#include <QtTest>

#include "core/face/image_io.h"
#include "tests/ui/studio_fixture.h"
#include "tests/ui/test_registry.h"
#include "ui/document.h"
#include "ui/image_convert.h"
#include "ui/prompt_panel.h"
#include "ui/render_worker.h"
#include "ui/split_view.h"
#include "ui/strength_control.h"
#include "ui/studio_settings.h"

using namespace deltaedit;
using namespace deltaedit::ui;
using namespace deltaedit::ui::testing;

namespace {

std::map<std::string, std::string> chunks_of(const QString& png) {
  std::map<std::string, std::string> out;
  for (const auto& [k, v] : face::read_png_text(png.toStdString())) out[k] = v;
  return out;
}

// Opens the fixture portrait and waits for the first frames.
void open_portrait(MainWindow& w) {
  QVERIFY(wait_for([&] { return w.engine_ready(); }));
  QSignalSpy opened(&w, &MainWindow::photo_opened);
  w.open_photo(fixture_portrait(), /*aligned=*/true);
  QVERIFY(opened.wait(120000));
  QVERIFY(wait_renders(w));
}

}  // namespace

class StudioSessionTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { STUDIO_REQUIRE_FIXTURES(); }

  void whole_session() {
    const QString autosave = scratch_dir("autosave");
    auto w = make_window(fixture_models_folder(), autosave);
    open_portrait(*w);
    QCOMPARE(w->page(), MainWindow::Page::Editor);
    QVERIFY(w->device_text().startsWith("CPU"));
    const int64_t size = w->engine()->image_size();
    QCOMPARE(w->view()->before_image().size(), QSize(int(size), int(size)));
    engine::EditSession base = w->document()->session();
    QVERIFY(base.aligned_input);
    QVERIFY(base.edits.empty());
    QCOMPARE(w->view()->before_image(), engine_render(*w, base));

    // Prompts typed and applied.
    PromptPanel* prompts = w->prompt_panel();
    QVERIFY(prompts->isEnabled());
    prompts->target_edit()->clear();
    QTest::keyClicks(prompts->target_edit(), "face with smile");
    QTest::mouseClick(prompts->apply_button(), Qt::LeftButton);
    QCOMPARE(w->document()->undo_stack()->count(), 1);
    QCOMPARE(w->document()->session().edits.size(), size_t(1));
    QCOMPARE(w->document()->session().edits[0].target, std::string("face with smile"));
    QVERIFY(wait_renders(*w));
    QCOMPARE(w->view()->after_image(), engine_render(*w, w->document()->session()));
    QVERIFY(w->view()->after_image() != w->view()->before_image());

    // One fast drag through many values: previews while moving, one undo step, and the frame
    // left on screen is the full-resolution render of the last value.
    StrengthControl* strength = w->strength_control();
    QVERIFY(strength->isEnabled());
    QList<bool> frames;
    connect(w.get(), &MainWindow::frame_shown, this,
            [&](quint64, bool preview) { frames.append(preview); });
    const quint64 renders_before = w->render_worker()->renders_run();
    const quint64 requested_before = w->render_worker()->last_requested();
    strength->slider()->setSliderDown(true);
    for (int i = 0; i < 120; ++i) {
      strength->slider()->setValue(100 + ((i * 37) % 200) - 50);
      if (i % 10 == 0) QApplication::processEvents();
    }
    strength->slider()->setValue(215);
    QApplication::processEvents();
    strength->slider()->setSliderDown(false);
    QVERIFY(wait_renders(*w));
    QCOMPARE(w->document()->undo_stack()->count(), 2);
    QCOMPARE(w->document()->session().edits[0].strength, 2.15);
    QVERIFY(!frames.isEmpty());
    QCOMPARE(frames.back(), false);  // the last frame is the full render
    QCOMPARE(w->view()->after_image().size(), QSize(int(size), int(size)));
    QCOMPARE(w->view()->after_image(), engine_render(*w, w->document()->session()));
    const quint64 requests = w->render_worker()->last_requested() - requested_before;
    const quint64 renders = w->render_worker()->renders_run() - renders_before;
    qInfo("drag: %llu render requests, %llu renders run (%lld frames shown, %lld previews)",
          requests, renders, qlonglong(frames.size()), qlonglong(frames.count(true)));
    QVERIFY(renders <= requests);

    // A second edit on top, its strength typed in the box.
    prompts->set_prompts("face", "face with blond hair");
    QTest::mouseClick(prompts->apply_button(), Qt::LeftButton);
    strength->spin_box()->setValue(-0.5);
    QVERIFY(wait_for([&] { return w->document()->undo_stack()->count() == 4; }, 5000));
    QVERIFY(wait_renders(*w));
    QCOMPARE(w->view()->after_image(), engine_render(*w, w->document()->session()));

    // Undo/redo walk the states exactly, and each state is what is displayed.
    QUndoStack* stack = w->document()->undo_stack();
    std::vector<engine::EditSession> states;
    for (int i = stack->count(); i >= 0; --i) {
      stack->setIndex(i);
      QVERIFY(wait_renders(*w));
      QCOMPARE(w->view()->after_image(), engine_render(*w, w->document()->session()));
      states.insert(states.begin(), w->document()->session());
    }
    QVERIFY(states[0] == base);
    QCOMPARE(states[1].edits.size(), size_t(1));
    QCOMPARE(states[1].edits[0].strength, 1.0);
    QCOMPARE(states[2].edits[0].strength, 2.15);
    QCOMPARE(states[3].edits.size(), size_t(2));
    QCOMPARE(states[4].edits[1].strength, -0.5);
    QCOMPARE(strength->strength(), 1.0);  // the control follows the undone state
    for (int i = 1; i <= stack->count(); ++i) {
      stack->redo();
      QVERIFY(w->document()->session() == states[size_t(i)]);
    }
    QVERIFY(wait_renders(*w));
    QCOMPARE(strength->strength(), -0.5);
    const engine::EditSession final_state = w->document()->session();
    const QImage final_image = w->view()->after_image();

    // Export: the PNG has the rendered pixels and the edits as text chunks.
    const QString out = scratch_dir("export");
    const QString png = QDir(out).filePath("edited.png");
    QSignalSpy exported(w.get(), &MainWindow::export_done);
    w->export_png(png, /*full_photo=*/false, /*overwrite=*/false);
    QVERIFY(exported.wait(60000));
    QCOMPARE(exported.at(0).at(1).toString(), QString());
    QCOMPARE(to_qimage(face::load_photo(png.toStdString())), final_image);
    const auto chunks = chunks_of(png);
    QVERIFY(chunks.count("DeltaEdit:edits"));
    const QJsonArray edits =
        QJsonDocument::fromJson(QByteArray::fromStdString(chunks.at("DeltaEdit:edits"))).array();
    QCOMPARE(edits.size(), 2);
    QCOMPARE(edits[0].toObject()["target"].toString(), QString("face with smile"));
    QCOMPARE(edits[0].toObject()["strength"].toDouble(), 2.15);
    QCOMPARE(edits[1].toObject()["target"].toString(), QString("face with blond hair"));
    QCOMPARE(edits[1].toObject()["strength"].toDouble(), -0.5);
    QCOMPARE(chunks.at("DeltaEdit:photo"), std::string("input.png"));
    // Never overwrites without consent: the second export fails and leaves the file alone.
    const QByteArray before_bytes = [&] { QFile f(png); f.open(QIODevice::ReadOnly); return f.readAll(); }();
    w->export_png(png, false, /*overwrite=*/false);
    QVERIFY(exported.wait(60000));
    QVERIFY(!exported.at(1).at(1).toString().isEmpty());
    QVERIFY(exported.at(1).at(1).toString().contains("edited.png"));
    QVERIFY(wait_for([&] { return w->findChild<QMessageBox*>("error_box") != nullptr; }, 5000));
    w->findChild<QMessageBox*>("error_box")->close();
    { QFile f(png); f.open(QIODevice::ReadOnly); QCOMPARE(f.readAll(), before_bytes); }
    // With consent it is replaced (the whole photo: for an aligned input, the face itself).
    w->export_png(png, /*full_photo=*/true, /*overwrite=*/true);
    QVERIFY(exported.wait(60000));
    QCOMPARE(exported.at(2).at(1).toString(), QString());
    QCOMPARE(to_qimage(face::load_photo(png.toStdString())), final_image);

    // Save, then reopen in a new window: the same state and the same picture.
    const QString session_file = QDir(out).filePath("portrait.deltaedit");
    QVERIFY(w->save_session(session_file));
    QVERIFY(w->document()->undo_stack()->isClean());
    w->close();
    w.reset();
    auto w2 = make_window(fixture_models_folder(), autosave);
    QVERIFY(w2->leftover_autosaves().isEmpty());  // the first window closed cleanly
    QVERIFY(wait_for([&] { return w2->engine_ready(); }));
    QVERIFY(w2->open_session(session_file));
    QVERIFY(w2->document()->session() == final_state);
    QVERIFY(wait_renders(*w2));
    QCOMPARE(w2->view()->after_image(), final_image);
    QCOMPARE(w2->view()->before_image(), engine_render(*w2, base));
    QCOMPARE(w2->strength_control()->strength(), -0.5);
    w2->close();
  }

  void crash_then_recover() {
    const QString autosave = scratch_dir("autosave");
    auto w = make_window(fixture_models_folder(), autosave);
    open_portrait(*w);
    w->apply_prompts("face", "face with glasses");
    w->document()->set_strength(0, 1.75);
    QVERIFY(wait_renders(*w));
    const engine::EditSession unsaved = w->document()->session();
    const QImage shown = w->view()->after_image();
    // Simulated crash: the window goes away without a clean close.
    w.reset();
    QCOMPARE(QDir(autosave).entryList({"*.deltaedit"}, QDir::Files).size(), 1);

    auto w2 = make_window(fixture_models_folder(), autosave);
    QCOMPARE(w2->leftover_autosaves().size(), 1);
    QMessageBox* box = nullptr;
    QVERIFY(wait_for([&] { return (box = w2->findChild<QMessageBox*>("recovery_box")); }, 5000));
    auto* recover = box->findChild<QPushButton*>("recover_button");
    QVERIFY(recover);
    QTest::mouseClick(recover, Qt::LeftButton);
    QVERIFY(w2->document()->has_session());
    QVERIFY(w2->document()->session() == unsaved);
    QVERIFY(!w2->document()->undo_stack()->isClean());  // recovered work is unsaved
    QVERIFY(wait_for([&] { return w2->engine_ready(); }));
    QVERIFY(wait_renders(*w2));
    QCOMPARE(w2->view()->after_image(), shown);
    QCOMPARE(w2->page(), MainWindow::Page::Editor);
    // The leftover is gone; only the new window's own autosave remains.
    const QStringList left = QDir(autosave).entryList({"*.deltaedit"}, QDir::Files);
    QCOMPARE(left.size(), 1);
    QCOMPARE(QDir(autosave).filePath(left.front()), w2->autosave().autosave_file());
    w2->close();
    QCOMPARE(QDir(autosave).entryList(QDir::Files).size(), 0);  // clean exit: nothing left
  }

  void new_edits_start_from_the_bundles_threshold() {
    // The fixture bundle, with a recommended beta in its manifest.
    const QString models = scratch_dir("models_beta");
    QFile::copy(QDir(fixture_models_folder()).filePath("manifest.json"), models + "/manifest.json");
    for (const QString& f : QDir(fixture_models_folder()).entryList(QDir::Files))
      if (f != "manifest.json") QFile::link(QFileInfo(QDir(fixture_models_folder()).filePath(f)).symLinkTarget(),
                                            QDir(models).filePath(f));
    QFile manifest(models + "/manifest.json");
    QVERIFY(manifest.open(QIODevice::ReadOnly));
    QJsonObject j = QJsonDocument::fromJson(manifest.readAll()).object();
    manifest.close();
    j["defaults"] = QJsonObject{{"threshold", 0.007}};
    QVERIFY(manifest.open(QIODevice::WriteOnly | QIODevice::Truncate));
    manifest.write(QJsonDocument(j).toJson());
    manifest.close();

    auto w = make_window(models, scratch_dir("autosave"));
    open_portrait(*w);
    QCOMPARE(w->strength_control()->threshold(), 0.007);
    w->apply_prompts("face", "face with a smile");
    QVERIFY(wait_renders(*w));
    QCOMPARE(w->document()->session().edits.back().threshold, 0.007);
    w->close();
  }

  void broken_photo_is_an_error_not_a_crash() {
    auto w = make_window(fixture_models_folder(), scratch_dir("autosave"));
    QVERIFY(wait_for([&] { return w->engine_ready(); }));
    const QString broken = QDir(scratch_dir("broken")).filePath("broken.png");
    {
      QFile f(broken);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("\x89PNG\r\n\x1a\n truncated");
    }
    QSignalSpy failed(w.get(), &MainWindow::open_failed);
    w->open_photo(broken, true);
    QVERIFY(failed.wait(30000));
    QVERIFY(failed.at(0).at(0).toString().contains("broken.png"));
    auto* box = w->findChild<QMessageBox*>("error_box");
    QVERIFY(box);
    QVERIFY(box->informativeText().contains("broken.png"));
    QCOMPARE(box->text(), QString("<b>Cannot read the photo</b>"));
    QCOMPARE(w->page(), MainWindow::Page::Welcome);
    QVERIFY(!w->document()->has_session());
    // A corrupt session file too.
    const QString bad_session = QDir(scratch_dir("broken")).filePath("bad.deltaedit");
    {
      QFile f(bad_session);
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("not a session");
    }
    QVERIFY(!w->open_session(bad_session));
    QVERIFY(!w->document()->has_session());
    w->close();
  }

  void cancel_while_opening() {
    auto w = make_window(fixture_models_folder(), scratch_dir("autosave"));
    QVERIFY(wait_for([&] { return w->engine_ready(); }));
    w->open_photo(fixture_portrait(), true);
    QVERIFY(w->opening());
    QCOMPARE(w->page(), MainWindow::Page::Busy);
    w->cancel_open();
    QVERIFY(wait_for([&] { return !w->opening(); }, 60000));
    QVERIFY(!w->document()->has_session());
    QCOMPARE(w->page(), MainWindow::Page::Welcome);
    w->close();
  }

  void drop_photo_and_session_and_recent_files() {
    auto w = make_window(fixture_models_folder(), scratch_dir("autosave"));
    QVERIFY(wait_for([&] { return w->engine_ready(); }));
    QAction* aligned = nullptr;
    for (QAction* a : w->findChildren<QAction*>())
      if (a->text() == "Photos Are Aligned Crops") aligned = a;
    QVERIFY(aligned);
    aligned->setChecked(true);
    auto drop = [&](const QString& file) {
      QMimeData mime;
      mime.setUrls({QUrl::fromLocalFile(file)});
      QDragEnterEvent enter(QPoint(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
      QApplication::sendEvent(w.get(), &enter);
      QVERIFY(enter.isAccepted());
      QDropEvent event(QPointF(50, 50), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
      QApplication::sendEvent(w.get(), &event);
    };
    QSignalSpy opened(w.get(), &MainWindow::photo_opened);
    drop(fixture_portrait());
    QVERIFY(opened.wait(120000));
    QVERIFY(w->document()->session().aligned_input);
    QCOMPARE(StudioSettings().recent_files().front(), fixture_portrait());
    w->apply_prompts("face", "old face");
    const QString session_file = QDir(scratch_dir("drop")).filePath("dropped.deltaedit");
    QVERIFY(w->save_session(session_file));
    const engine::EditSession saved = w->document()->session();
    w->document()->reset_edits();
    QVERIFY(w->document()->session().edits.empty());
    drop(session_file);
    QCOMPARE(w->document()->file(), session_file);
    QVERIFY(w->document()->session() == saved);
    QCOMPARE(StudioSettings().recent_files().front(), session_file);
    w->close();
  }
};

DELTAEDIT_REGISTER_QTEST(StudioSessionTest);
#include "test_studio_session.moc"
