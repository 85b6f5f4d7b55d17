#pragma once
// Opens a photo on a worker thread: decode, find faces, align, invert (e4e), embed (CLIP), then
// render the unedited face for the "before" half. Reports progress, can be cancelled, and turns
// every failure into a signal. With several faces and no choice made yet it stops after
// detection and reports them, so the window can ask which one.
#include <atomic>

#include <QImage>
#include <QList>
#include <QRectF>
#include <QThread>

#include "core/engine/edit_session.h"
#include "ui/engine_loader.h"

namespace deltaedit::ui {

struct OpenRequest {
  QString photo;
  bool aligned = false;  // already an aligned crop: no detection
  int face_index = -1;   // -1: not chosen yet (ask when there are several)
};

class OpenPhotoWorker : public QThread {
  Q_OBJECT
 public:
  OpenPhotoWorker(EnginePtr engine, OpenRequest request, QObject* parent = nullptr);
  void cancel() { cancel_ = true; }
  const OpenRequest& request() const { return request_; }

 signals:
  void progress(const QString& stage, double fraction);
  // Several faces: boxes in photo pixels (largest first), with the decoded photo.
  void faces_found(const QImage& photo, const QList<QRectF>& faces);
  void opened(const deltaedit::engine::EditSession& session, const QImage& before);
  void failed(const QString& title, const QString& message);
  void cancelled();

 protected:
  void run() override;

 private:
  EnginePtr engine_;
  OpenRequest request_;
  std::atomic<bool> cancel_{false};
};

}  // namespace deltaedit::ui

Q_DECLARE_METATYPE(deltaedit::engine::EditSession)
