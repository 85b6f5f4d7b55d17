// deltaedit-studio: the GUI. Thin: parses the command line and shows the main window.
#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>

#include "ui/main_window.h"
#include "ui/screenshot_tour.h"

int main(int argc, char** argv) {
  QApplication app(argc, argv);
  QApplication::setOrganizationName("DeltaEdit");
  QApplication::setApplicationName("DeltaEdit Studio");
  QApplication::setApplicationVersion("0.1.0");

  QCommandLineParser parser;
  parser.setApplicationDescription("Edit portraits with text (DeltaEdit).");
  parser.addHelpOption();
  parser.addVersionOption();
  parser.addPositionalArgument("file", "A photo or a .deltaedit session to open.", "[file]");
  const QCommandLineOption models({"m", "models"}, "Models folder.", "folder");
  const QCommandLineOption device({"d", "device"}, "auto, cpu or cuda.", "device");
  const QCommandLineOption aligned("aligned", "The photo is already an FFHQ-aligned crop.");
  const QCommandLineOption screenshot(
      "screenshot", "Render the main states to PNGs in <dir> (with the photo given) and quit.",
      "dir");
  const QCommandLineOption target("screenshot-target", "Target prompt for --screenshot.",
                                  "prompt", "face with smile");
  parser.addOptions({models, device, aligned, screenshot, target});
  parser.process(app);
  const QStringList files = parser.positionalArguments();

  if (parser.isSet(screenshot)) {
    deltaedit::ui::ScreenshotOptions o;
    o.out_dir = parser.value(screenshot);
    o.photo = files.value(0);
    o.aligned = parser.isSet(aligned);
    o.models_folder = parser.value(models);
    o.device = parser.value(device);
    o.target = parser.value(target);
    return deltaedit::ui::run_screenshot_tour(o);
  }

  deltaedit::ui::MainWindow::Options options;
  options.models_folder = parser.value(models);
  options.device = parser.value(device);
  deltaedit::ui::MainWindow window(options);
  window.show();
  if (!files.isEmpty()) {
    const QString file = QFileInfo(files.front()).absoluteFilePath();
    if (file.endsWith(".deltaedit", Qt::CaseInsensitive))
      window.open_session(file);
    else
      window.open_photo(file, parser.isSet(aligned));
  }
  return app.exec();
}
