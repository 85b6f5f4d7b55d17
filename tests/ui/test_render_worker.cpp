// Latest request wins: a burst of requests renders only a few of them, and the last result
// shown is always the render of the last request.
#include <atomic>
#include <chrono>
#include <thread>

#include <QSignalSpy>
#include <QtTest>

#include "tests/ui/test_registry.h"
#include "ui/render_worker.h"

using namespace deltaedit;
using namespace deltaedit::ui;

namespace {

// A fake renderer: slow, and its image encodes the requested strength in the pixel colour.
QImage fake_render(const RenderRequest& r) {
  std::this_thread::sleep_for(std::chrono::milliseconds(15));
  QImage image(8, 8, QImage::Format_RGB888);
  const double strength = r.session.edits.empty() ? 0.0 : r.session.edits.back().strength;
  image.fill(QColor(int(strength * 100) % 256, int(r.resolution) % 256, r.preview ? 255 : 0));
  return image;
}

RenderRequest request_for(double strength, int64_t resolution, bool preview) {
  RenderRequest r;
  engine::EditStep step;
  step.target = "face with smile";
  step.strength = strength;
  r.session.edits.push_back(step);
  r.resolution = resolution;
  r.preview = preview;
  return r;
}

}  // namespace

class RenderWorkerTest : public QObject {
  Q_OBJECT
 private slots:
  void burst_renders_latest_only() {
    RenderWorker worker(fake_render);
    QImage last_image;
    quint64 last_serial = 0;
    int results = 0;
    connect(&worker, &RenderWorker::rendered, this,
            [&](const QImage& image, quint64 serial, bool) {
              QVERIFY(serial > last_serial);  // results arrive in request order
              last_serial = serial;
              last_image = image;
              ++results;
            });
    quint64 final_serial = 0;
    for (int i = 0; i <= 200; ++i) final_serial = worker.request(request_for(i / 100.0, 32, true));
    QTRY_VERIFY_WITH_TIMEOUT(worker.idle() && last_serial == final_serial, 10000);
    QCOMPARE(last_image, fake_render(request_for(2.0, 32, true)));
    QVERIFY2(results < 50, qPrintable(QString("rendered %1 of 201 requests").arg(results)));
    QCOMPARE(worker.renders_run() + worker.requests_dropped(), quint64(201));
  }

  void preview_then_full() {
    RenderWorker worker(fake_render);
    QList<bool> kinds;
    connect(&worker, &RenderWorker::rendered, this,
            [&](const QImage&, quint64, bool preview) { kinds.append(preview); });
    worker.request(request_for(0.5, 32, true));
    QTRY_VERIFY(worker.idle() && kinds.size() == 1);
    worker.request(request_for(0.5, 0, false));
    QTRY_VERIFY(worker.idle() && kinds.size() == 2);
    QCOMPARE(kinds, (QList<bool>{true, false}));
  }

  void failure_becomes_signal() {
    RenderWorker worker([](const RenderRequest& r) -> QImage {
      if (r.resolution == 7) throw std::runtime_error("model exploded");
      return fake_render(r);
    });
    QSignalSpy failed(&worker, &RenderWorker::failed);
    QSignalSpy rendered(&worker, &RenderWorker::rendered);
    const quint64 serial = worker.request(request_for(1.0, 7, false));
    QTRY_COMPARE(failed.size(), 1);
    QCOMPARE(failed.at(0).at(0).toString(), QString("model exploded"));
    QCOMPARE(failed.at(0).at(1).toULongLong(), serial);
    // The worker keeps serving after a failure.
    worker.request(request_for(1.0, 16, false));
    QTRY_COMPARE(rendered.size(), 1);
  }

  // After a request that asks for idle work, the idle function runs piece by piece until it says
  // it is done; a new request is served before further pieces.
  void idle_work_runs_between_requests() {
    std::atomic<int> pieces{0};
    std::atomic<int> budget{3};
    RenderWorker worker(fake_render, [&](const RenderRequest& last) {
      if (last.idle_resolution != 16) return false;
      ++pieces;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      return --budget > 0;
    });
    QSignalSpy rendered(&worker, &RenderWorker::rendered);
    RenderRequest plain = request_for(1.0, 32, true);
    worker.request(plain);  // no idle resolution: no idle work
    QTRY_COMPARE(rendered.size(), 1);
    QTest::qWait(100);
    QCOMPARE(pieces.load(), 0);
    RenderRequest with_idle = request_for(1.0, 32, true);
    with_idle.idle_resolution = 16;
    worker.request(with_idle);
    QTRY_COMPARE(pieces.load(), 3);  // stops when the function returns false
    QTest::qWait(100);
    QCOMPARE(pieces.load(), 3);
    budget = 100;
    with_idle.session.edits.back().strength = 0.5;
    worker.request(with_idle);  // idle work starts again after the next render...
    QTRY_VERIFY(pieces.load() >= 4);
    const int before = pieces.load();
    worker.request(request_for(2.0, 32, true));  // ...and a request ends it
    QTRY_COMPARE(rendered.size(), 3);
    QVERIFY(pieces.load() <= before + 1);  // at most the piece in progress ran meanwhile
    const int after = pieces.load();
    QTest::qWait(100);
    QCOMPARE(pieces.load(), after);  // that request asked for no idle work
  }

  void destroy_while_busy() {
    std::atomic<int> started{0};
    auto* worker = new RenderWorker([&](const RenderRequest& r) {
      ++started;
      return fake_render(r);
    });
    for (int i = 0; i < 10; ++i) worker->request(request_for(i, 16, true));
    QTRY_VERIFY(started.load() >= 1);
    delete worker;  // must stop cleanly after the render in progress
    QVERIFY(started.load() <= 3);
  }
};

DELTAEDIT_REGISTER_QTEST(RenderWorkerTest);
#include "test_render_worker.moc"
