#pragma once
// One-off work off the GUI thread (export): runs `work`, then calls `done` with an empty
// string or the error message, on the GUI thread. The task object owns its thread; deleting it
// waits for the work to end.
#include <functional>

#include <QString>
#include <QThread>

namespace deltaedit::ui {

class BackgroundTask : public QThread {
  Q_OBJECT
 public:
  explicit BackgroundTask(std::function<void()> work, QObject* parent = nullptr);
  ~BackgroundTask() override;

 signals:
  void finished_with(const QString& error);  // empty: success

 protected:
  void run() override;

 private:
  std::function<void()> work_;
};

}  // namespace deltaedit::ui
