#pragma once
// Shared set-up of the studio tests: a model folder made of the small fixture models, the
// synthetic aligned portrait, and helpers to wait on the window without blocking its events.
#include <functional>
#include <memory>

#include <QImage>
#include <QString>

#include "core/engine/edit_session.h"
#include "ui/main_window.h"

namespace deltaedit::ui::testing {

// Empty when the fixtures are absent (the tests QSKIP).
QString fixture_models_folder();
QString fixture_portrait();  // e4e/input.png, a 256x256 aligned synthetic portrait
QString scratch_dir(const QString& tag);  // fresh, under the test's temp folder

std::unique_ptr<MainWindow> make_window(const QString& models, const QString& autosave_folder);

// Spins the event loop until `done` or the timeout; false on timeout.
bool wait_for(const std::function<bool()>& done, int timeout_ms = 120000);
// Waits until both render workers are idle and their last results were delivered.
bool wait_renders(MainWindow& window, int timeout_ms = 120000);

// What the engine renders for `session` at full resolution (the reference for the view).
QImage engine_render(MainWindow& window, const engine::EditSession& session);

}  // namespace deltaedit::ui::testing

#define STUDIO_REQUIRE_FIXTURES()                                                   \
  do {                                                                              \
    if (::deltaedit::ui::testing::fixture_models_folder().isEmpty())                \
      QSKIP("reference fixtures not found: set DELTAEDIT_FIXTURES "                 \
            "(default ../shared/fixtures next to the checkout)");                   \
  } while (0)
