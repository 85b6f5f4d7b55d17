#include "ui/engine_loader.h"

#include <exception>

namespace deltaedit::ui {

EngineLoader::EngineLoader(engine::ModelPaths paths, QString device, QObject* parent)
    : QThread(parent), paths_(std::move(paths)), device_(std::move(device)) {
  qRegisterMetaType<EnginePtr>();
}

void EngineLoader::run() {
  try {
    const nets::ComputeDevice device = nets::choose_device(device_.toStdString());
    auto engine = std::make_shared<engine::EditEngine>(
        paths_, device, [this](const std::string& stage, double fraction) {
          emit progress(QString::fromStdString(stage), fraction);
        });
    emit loaded(std::move(engine));
  } catch (const std::exception& e) {
    emit failed(QString::fromUtf8(e.what()));
  } catch (...) {
    emit failed(tr("unknown error while loading the models"));
  }
}

}  // namespace deltaedit::ui
