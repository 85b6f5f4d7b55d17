#include "ui/render_worker.h"

#include <exception>

namespace deltaedit::ui {

RenderWorker::RenderWorker(RenderFunction render, IdleFunction idle, QObject* parent)
    : QThread(parent), render_(std::move(render)), idle_work_(std::move(idle)) {}

RenderWorker::~RenderWorker() {
  {
    QMutexLocker lock(&mutex_);
    stop_ = true;
    pending_.reset();
    wake_.wakeOne();
  }
  wait();
}

quint64 RenderWorker::request(RenderRequest request) {
  QMutexLocker lock(&mutex_);
  request.serial = ++next_serial_;
  if (pending_) ++dropped_;
  pending_ = std::move(request);
  const quint64 serial = next_serial_;
  if (!isRunning()) {
    start(QThread::LowPriority);
  } else {
    wake_.wakeOne();
  }
  return serial;
}

void RenderWorker::cancel_pending() {
  QMutexLocker lock(&mutex_);
  pending_.reset();
}

bool RenderWorker::idle() const {
  QMutexLocker lock(&mutex_);
  return !busy_ && !pending_;
}

quint64 RenderWorker::last_requested() const {
  QMutexLocker lock(&mutex_);
  return next_serial_;
}

quint64 RenderWorker::renders_run() const {
  QMutexLocker lock(&mutex_);
  return renders_run_;
}

quint64 RenderWorker::requests_dropped() const {
  QMutexLocker lock(&mutex_);
  return dropped_;
}

void RenderWorker::run() {
  for (;;) {
    RenderRequest job;
    bool idle_piece = false;
    {
      QMutexLocker lock(&mutex_);
      while (!pending_ && !stop_) {
        if (idle_work_ && !idle_work_done_) {
          idle_piece = true;
          break;
        }
        wake_.wait(&mutex_);
      }
      if (stop_) return;
      if (!idle_piece) {
        job = std::move(*pending_);
        pending_.reset();
        busy_ = true;
      }
    }
    if (idle_piece) {
      // One piece at a time, so that a new request waits for at most one piece.
      bool more = false;
      try {
        more = idle_work_(*last_job_);
      } catch (...) {
        more = false;
      }
      idle_work_done_ = !more;
      continue;
    }
    // Every failure stops at this boundary and becomes a signal: never a crash.
    try {
      QImage image = render_(job);
      emit rendered(image, job.serial, job.preview);
    } catch (const std::exception& e) {
      emit failed(QString::fromUtf8(e.what()), job.serial);
    } catch (...) {
      emit failed(tr("unknown error while rendering"), job.serial);
    }
    last_job_ = job;
    idle_work_done_ = job.idle_resolution == 0;
    bool now_idle;
    {
      QMutexLocker lock(&mutex_);
      busy_ = false;
      ++renders_run_;
      now_idle = !pending_;
    }
    if (now_idle) emit became_idle();
  }
}

}  // namespace deltaedit::ui
