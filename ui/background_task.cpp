#include "ui/background_task.h"

#include <exception>

namespace deltaedit::ui {

BackgroundTask::BackgroundTask(std::function<void()> work, QObject* parent)
    : QThread(parent), work_(std::move(work)) {}

BackgroundTask::~BackgroundTask() { wait(); }

void BackgroundTask::run() {
  try {
    work_();
    emit finished_with({});
  } catch (const std::exception& e) {
    emit finished_with(QString::fromUtf8(e.what()));
  } catch (...) {
    emit finished_with(tr("unknown error"));
  }
}

}  // namespace deltaedit::ui
