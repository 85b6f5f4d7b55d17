#include <cstdlib>

#include <QApplication>
#include <QDir>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QtTest>

#include "tests/ui/test_registry.h"

namespace deltaedit::ui::testing {
std::vector<TestFactory>& test_registry() {
  static std::vector<TestFactory> registry;
  return registry;
}
}  // namespace deltaedit::ui::testing

int main(int argc, char** argv) {
  // Settings and autosaves go to a fresh folder: tests never see the user's files.
  QTemporaryDir home;
  qputenv("XDG_CONFIG_HOME", QDir(home.path()).filePath("config").toUtf8());
  qputenv("XDG_DATA_HOME", QDir(home.path()).filePath("data").toUtf8());
  if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
  QApplication app(argc, argv);
  QApplication::setOrganizationName("DeltaEditTests");
  QApplication::setApplicationName("DeltaEdit Studio Tests");
  int failures = 0;
  for (const auto& make : deltaedit::ui::testing::test_registry()) {
    std::unique_ptr<QObject> test = make();
    failures += QTest::qExec(test.get(), argc, argv);
  }
  return failures == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
