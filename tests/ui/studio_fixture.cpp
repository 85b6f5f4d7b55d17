#include "tests/ui/studio_fixture.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QStandardPaths>
#include <QUuid>

#include "tests/support/fixture_bundle.h"
#include "tests/support/fixtures.h"
#include "ui/image_convert.h"
#include "ui/render_worker.h"

namespace deltaedit::ui::testing {

QString scratch_dir(const QString& tag) {
  const QString dir = QDir(QDir::tempPath())
                          .filePath(QStringLiteral("deltaedit-ui-%1-%2")
                                        .arg(tag, QUuid::createUuid().toString(QUuid::Id128)));
  QDir().mkpath(dir);
  return dir;
}

QString fixture_models_folder() {
  static QString folder = [] {
    if (deltaedit::testing::fixtures_root().empty()) return QString();
    const QString dir = scratch_dir("models");
    deltaedit::testing::make_fixture_model_bundle(dir.toStdString());
    return dir;
  }();
  return folder;
}

QString fixture_portrait() {
  return QString::fromStdString(deltaedit::testing::fixture("e4e/input.png").string());
}

std::unique_ptr<MainWindow> make_window(const QString& models, const QString& autosave_folder) {
  MainWindow::Options o;
  o.models_folder = models;
  o.device = "cpu";
  o.autosave_folder = autosave_folder;
  o.ask_before_closing = false;
  auto window = std::make_unique<MainWindow>(o);
  window->show();
  return window;
}

bool wait_for(const std::function<bool()>& done, int timeout_ms) {
  QDeadlineTimer deadline(timeout_ms);
  while (!done()) {
    if (deadline.hasExpired()) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 10);
  }
  return true;
}

bool wait_renders(MainWindow& window, int timeout_ms) {
  if (!wait_for([&] { return window.rendering_idle(); }, timeout_ms)) return false;
  // The last result is a queued signal: deliver it.
  QApplication::processEvents();
  QApplication::processEvents();
  return true;
}

QImage engine_render(MainWindow& window, const engine::EditSession& session) {
  auto& engine = *window.engine();
  return to_qimage(engine.render(session, engine.edited_s(session)));
}

}  // namespace deltaedit::ui::testing
