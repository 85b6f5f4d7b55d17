// While renders run (a stream of slider moves), the GUI thread keeps serving events: a 5 ms
// timer measures the gaps between its ticks. The longest stall is reported, not asserted
// (timings depend on the machine).
#include <QElapsedTimer>
#include <QSlider>
#include <QTimer>
#include <QtTest>

#include "tests/ui/studio_fixture.h"
#include "tests/ui/test_registry.h"
#include "ui/document.h"
#include "ui/render_worker.h"
#include "ui/strength_control.h"

using namespace deltaedit::ui;
using namespace deltaedit::ui::testing;

class ResponsivenessTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { STUDIO_REQUIRE_FIXTURES(); }

  void event_loop_serves_during_renders() {
    auto w = make_window(fixture_models_folder(), scratch_dir("autosave"));
    QVERIFY(wait_for([&] { return w->engine_ready(); }));
    w->open_photo(fixture_portrait(), true);
    QVERIFY(wait_for([&] { return w->document()->has_session() && !w->opening(); }));
    w->apply_prompts("face", "face with smile");
    QVERIFY(wait_renders(*w));

    QElapsedTimer clock;
    qint64 last = 0, longest = 0, ticks = 0;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5);
    connect(&probe, &QTimer::timeout, this, [&] {
      const qint64 now = clock.elapsed();
      longest = std::max(longest, now - last);
      last = now;
      ++ticks;
    });
    const quint64 renders_before = w->render_worker()->renders_run();
    QSlider* slider = w->strength_control()->slider();
    clock.start();
    probe.start();
    // Two seconds of dragging: a new value every 10 ms, served by the same event loop.
    slider->setSliderDown(true);
    QElapsedTimer drag;
    drag.start();
    int value = -200;
    while (drag.elapsed() < 2000) {
      slider->setValue(value);
      value = value >= 280 ? -200 : value + 7;
      QTest::qWait(10);
    }
    slider->setSliderDown(false);
    QVERIFY(wait_renders(*w));
    probe.stop();
    const quint64 renders = w->render_worker()->renders_run() - renders_before;
    qInfo("responsiveness: %lld timer ticks in %lld ms, longest gap between ticks %lld ms, "
          "%llu renders, device %s",
          ticks, clock.elapsed(), longest, renders, qPrintable(w->device_text()));
    QVERIFY(renders > 0);
    QVERIFY(ticks > 0);
    w->close();
  }
};

DELTAEDIT_REGISTER_QTEST(ResponsivenessTest);
#include "test_responsiveness.moc"
