#include "ui/open_photo_worker.h"

#include <exception>

#include "core/face/image_io.h"
#include "ui/image_convert.h"

namespace deltaedit::ui {

OpenPhotoWorker::OpenPhotoWorker(EnginePtr engine, OpenRequest request, QObject* parent)
    : QThread(parent), engine_(std::move(engine)), request_(std::move(request)) {
  qRegisterMetaType<engine::EditSession>();
  qRegisterMetaType<QList<QRectF>>();
}

void OpenPhotoWorker::run() {
  const std::filesystem::path path = request_.photo.toStdString();
  try {
    emit progress(tr("Reading photo"), 0.0);
    const face::RgbImage photo = face::load_photo(path);
    if (cancel_) throw engine::CancelledError();

    engine::OpenOptions options;
    options.aligned = request_.aligned;
    options.face_index = std::max(0, request_.face_index);
    if (!request_.aligned && request_.face_index < 0) {
      emit progress(tr("Finding faces"), 0.02);
      const auto faces = engine_->detect_faces(photo);
      if (faces.empty())
        throw engine::NoFaceError(path.string() + ": no face found in the photo");
      if (faces.size() > 1) {
        QList<QRectF> boxes;
        for (const auto& f : faces) boxes.append(QRectF(f.box.x, f.box.y, f.box.width, f.box.height));
        emit faces_found(to_qimage(photo), boxes);
        return;
      }
    }
    engine::EditSession session = engine_->open_image(
        photo, path, options,
        [this](const std::string& stage, double fraction) {
          emit progress(QString::fromStdString(stage), fraction);
        },
        &cancel_);
    if (cancel_) throw engine::CancelledError();
    emit progress(tr("Rendering"), 1.0);
    const QImage before = to_qimage(engine_->render(session, engine_->edited_s(session, 0)));
    emit opened(session, before);
  } catch (const engine::CancelledError&) {
    emit cancelled();
  } catch (const engine::NoFaceError& e) {
    emit failed(tr("No face found"), QString::fromUtf8(e.what()));
  } catch (const face::ImageError& e) {
    emit failed(tr("Cannot read the photo"), QString::fromUtf8(e.what()));
  } catch (const std::exception& e) {
    emit failed(tr("Cannot open the photo"), QString::fromUtf8(e.what()));
  } catch (...) {
    emit failed(tr("Cannot open the photo"), tr("unknown error"));
  }
}

}  // namespace deltaedit::ui
