#include "ui/screenshot_tour.h"

#include <functional>

#include <QApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QMessageBox>
#include <QPainter>
#include <QTemporaryDir>
#include <QTextStream>

#include "ui/document.h"
#include "ui/main_window.h"
#include "ui/prompt_panel.h"
#include "ui/split_view.h"
#include "ui/strength_control.h"

namespace deltaedit::ui {

namespace {

bool wait_for(const std::function<bool()>& done, int timeout_ms) {
  QDeadlineTimer deadline(timeout_ms);
  while (!done()) {
    if (deadline.hasExpired()) return false;
    QApplication::processEvents(QEventLoop::AllEvents, 20);
  }
  return true;
}

// The window plus any dialog on top of it, as the user would see them.
QImage grab_with_dialogs(QWidget* window) {
  QImage shot = window->grab().toImage();
  QPainter p(&shot);
  for (QWidget* w : QApplication::topLevelWidgets()) {
    if (w == window || !w->isVisible() || !qobject_cast<QDialog*>(w)) continue;
    const QImage dialog = w->grab().toImage();
    const QPoint at((shot.width() - dialog.width()) / 2, (shot.height() - dialog.height()) / 3);
    p.fillRect(QRect(at + QPoint(4, 4), dialog.size()), QColor(0, 0, 0, 60));  // shadow
    p.drawImage(at, dialog);
  }
  return shot;
}

}  // namespace

int run_screenshot_tour(const ScreenshotOptions& o) {
  QTextStream out(stdout), err(stderr);
  QDir().mkpath(o.out_dir);
  QTemporaryDir scratch;
  int written = 0;
  auto save = [&](QWidget* window, const QString& name) {
    QApplication::processEvents();
    const QString file = QDir(o.out_dir).filePath(name);
    if (grab_with_dialogs(window).save(file)) {
      out << "wrote " << file << "\n";
      ++written;
    } else {
      err << "cannot write " << file << "\n";
    }
  };

  MainWindow::Options options;
  options.models_folder = o.models_folder;
  options.device = o.device;
  options.autosave_folder = scratch.filePath("autosave");
  options.ask_before_closing = false;
  auto window = std::make_unique<MainWindow>(options);
  window->resize(1180, 760);
  window->show();
  if (!wait_for([&] { return window->engine_ready() ||
                             window->page() == MainWindow::Page::MissingModels; }, 120000) ||
      !window->engine_ready()) {
    save(window.get(), "missing-models.png");
    err << "models not ready; only the missing-models page was captured\n";
    return 1;
  }
  save(window.get(), "01-empty.png");

  window->open_photo(o.photo, o.aligned);
  if (!wait_for([&] { return window->document()->has_session() && window->rendering_idle() &&
                             !window->opening(); }, 300000)) {
    err << "opening " << o.photo << " did not finish\n";
    return 1;
  }
  window->view()->set_mode(SplitView::Mode::AfterOnly);
  save(window.get(), "02-photo-loaded.png");

  window->prompt_panel()->set_prompts("face", o.target);
  window->apply_prompts("face", o.target);
  window->document()->set_strength(0, o.strength);
  wait_for([&] { return window->rendering_idle(); }, 300000);
  wait_for([] { return false; }, 200);  // let the last frame reach the view
  window->view()->set_mode(SplitView::Mode::Split);
  window->view()->set_split_fraction(0.5);
  save(window.get(), "03-editing-split.png");
  window->view()->set_mode(SplitView::Mode::SideBySide);
  save(window.get(), "04-side-by-side.png");
  window->view()->set_mode(SplitView::Mode::Split);

  const QString broken = scratch.filePath("holiday.jpg");
  {
    QFile f(broken);
    f.open(QIODevice::WriteOnly);
    f.write("\xff\xd8\xff\xe0 this is not really a JPEG");
  }
  window->open_photo(broken, false);
  if (wait_for([&] { return window->findChild<QMessageBox*>("error_box") != nullptr; }, 60000)) {
    wait_for([] { return false; }, 100);
    save(window.get(), "05-error-dialog.png");
    if (auto* box = window->findChild<QMessageBox*>("error_box")) box->close();
  } else {
    err << "no error dialog appeared for a broken photo\n";
  }
  window->close();
  window.reset();

  // Missing models: an empty folder.
  MainWindow::Options missing = options;
  missing.models_folder = scratch.filePath("no-models");
  QDir().mkpath(missing.models_folder);
  auto empty_window = std::make_unique<MainWindow>(missing);
  empty_window->resize(1180, 760);
  empty_window->show();
  wait_for([] { return false; }, 100);
  save(empty_window.get(), "06-missing-models.png");
  empty_window->close();
  return written == 6 ? 0 : 1;
}

}  // namespace deltaedit::ui
