#pragma once
// Renders on one background thread, latest request wins (Qt's mandelbrot example pattern):
// the worker keeps only the newest pending request, so a stream of slider moves never queues
// stale renders; at most one render runs and at most one waits.
#include <cstdint>
#include <functional>
#include <optional>

#include <QImage>
#include <QMutex>
#include <QThread>
#include <QWaitCondition>

#include "core/engine/edit_session.h"

namespace deltaedit::ui {

struct RenderRequest {
  quint64 serial = 0;            // assigned by request(); increases with every request
  engine::EditSession session;   // the state to render (edits with their strengths)
  int64_t resolution = 0;        // 0 = generator size, else a preview size
  bool preview = false;
  int64_t idle_resolution = 0;   // preview size for idle-time work after this request (0: none)
};

// Runs on the worker thread. May throw: the message is reported through failed().
using RenderFunction = std::function<QImage(const RenderRequest&)>;
// Idle-time work after the last request (e.g. previews at neighbouring strengths), one short
// piece per call; returns false when there is nothing more to do. Runs on the worker thread
// only while no request waits; errors end the idle work silently.
using IdleFunction = std::function<bool(const RenderRequest& last)>;

class RenderWorker : public QThread {
  Q_OBJECT
 public:
  explicit RenderWorker(RenderFunction render, IdleFunction idle = {}, QObject* parent = nullptr);
  ~RenderWorker() override;  // stops the thread after the render in progress

  // Replaces any pending request; returns its serial. Starts the thread on first use.
  quint64 request(RenderRequest request);
  // Drops the pending request (e.g. the document was closed).
  void cancel_pending();
  // True when nothing runs and nothing waits.
  bool idle() const;
  quint64 last_requested() const;
  // Statistics: renders run / requests replaced before they ran.
  quint64 renders_run() const;
  quint64 requests_dropped() const;

 signals:
  void rendered(const QImage& image, quint64 serial, bool preview);
  void failed(const QString& message, quint64 serial);
  void became_idle();

 protected:
  void run() override;

 private:
  RenderFunction render_;
  IdleFunction idle_work_;
  std::optional<RenderRequest> last_job_;  // worker thread only
  bool idle_work_done_ = true;             // worker thread only
  mutable QMutex mutex_;
  QWaitCondition wake_;
  std::optional<RenderRequest> pending_;
  bool busy_ = false;
  bool stop_ = false;
  quint64 next_serial_ = 0;
  quint64 renders_run_ = 0;
  quint64 dropped_ = 0;
};

}  // namespace deltaedit::ui
