// Missing or wrong models: a page that names the files and where they go, never a crash.
#include <QDir>
#include <QFile>
#include <QtTest>

#include "tests/ui/studio_fixture.h"
#include "tests/ui/test_registry.h"
#include "ui/missing_models_page.h"

using namespace deltaedit::ui;
using namespace deltaedit::ui::testing;

class MissingModelsTest : public QObject {
  Q_OBJECT
 private slots:
  void empty_folder_names_the_official_files() {
    const QString empty = scratch_dir("empty-models");
    auto w = make_window(empty, scratch_dir("autosave"));
    QCOMPARE(w->page(), MainWindow::Page::MissingModels);
    QVERIFY(!w->engine_ready());
    const QString report = w->missing_models_page()->report_text();
    QVERIFY2(report.contains("MISSING"), qPrintable(report));
    QVERIFY2(report.contains(empty), qPrintable(report));
    // The official generator file is named, with where to put it.
    QVERIFY2(report.contains("generator"), qPrintable(report));
    w->close();
  }

  void corrupt_model_is_reported_on_the_page() {
    STUDIO_REQUIRE_FIXTURES();
    // A complete folder whose generator is garbage: the check passes, loading fails.
    const QString folder = scratch_dir("bad-models");
    const QDir good(fixture_models_folder());
    for (const QString& name : good.entryList(QDir::Files | QDir::System)) {
      if (name == "generator.pt") continue;
      QVERIFY(QFile::link(QFileInfo(good.filePath(name)).canonicalFilePath(),
                          QDir(folder).filePath(name)) ||
              QFile::copy(good.filePath(name), QDir(folder).filePath(name)));
    }
    {
      QFile f(QDir(folder).filePath("generator.pt"));
      QVERIFY(f.open(QIODevice::WriteOnly));
      f.write("this is not a checkpoint");
    }
    auto w = make_window(folder, scratch_dir("autosave"));
    QVERIFY(wait_for([&] { return w->page() == MainWindow::Page::MissingModels; }, 60000));
    QVERIFY(!w->engine_ready());
    const QString report = w->missing_models_page()->report_text();
    QVERIFY2(report.contains("could not be loaded"), qPrintable(report));
    QVERIFY2(report.contains("generator.pt"), qPrintable(report));
    w->close();
  }
};

DELTAEDIT_REGISTER_QTEST(MissingModelsTest);
#include "test_missing_models.moc"
