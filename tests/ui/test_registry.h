#pragma once
// Several QtTest classes in one executable: each .cpp registers its class, test_main.cpp runs
// them all in one QApplication (with settings and app data in a throwaway folder).
#include <functional>
#include <memory>
#include <vector>

#include <QObject>

namespace deltaedit::ui::testing {

using TestFactory = std::function<std::unique_ptr<QObject>()>;
std::vector<TestFactory>& test_registry();
inline bool register_test(TestFactory f) {
  test_registry().push_back(std::move(f));
  return true;
}

}  // namespace deltaedit::ui::testing

#define DELTAEDIT_REGISTER_QTEST(Class)                                        \
  static const bool registered_##Class = ::deltaedit::ui::testing::register_test( \
      [] { return std::unique_ptr<QObject>(new Class); })
