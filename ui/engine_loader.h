#pragma once
// Loads the networks on a worker thread (the 1024 models take seconds) and hands the engine
// over by signal; load errors (wrong or corrupt model file) come back as messages.
#include <memory>

#include <QString>
#include <QThread>

#include "core/engine/edit_engine.h"

namespace deltaedit::ui {

using EnginePtr = std::shared_ptr<engine::EditEngine>;

class EngineLoader : public QThread {
  Q_OBJECT
 public:
  EngineLoader(engine::ModelPaths paths, QString device, QObject* parent = nullptr);

 signals:
  void progress(const QString& stage, double fraction);
  void loaded(deltaedit::ui::EnginePtr engine);
  void failed(const QString& message);

 protected:
  void run() override;

 private:
  engine::ModelPaths paths_;
  QString device_;
};

}  // namespace deltaedit::ui

Q_DECLARE_METATYPE(deltaedit::ui::EnginePtr)
