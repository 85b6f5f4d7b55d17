#include "ui/export_png.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringList>

#include "core/face/image_io.h"

namespace deltaedit::ui {

face::TextChunks export_metadata(const engine::EditSession& session) {
  QJsonArray edits;
  QStringList readable;
  for (const engine::EditStep& e : session.edits) {
    edits.append(QJsonObject{{"source", QString::fromStdString(e.source)},
                             {"target", QString::fromStdString(e.target)},
                             {"strength", e.strength},
                             {"threshold", e.threshold}});
    readable.append(QStringLiteral("\"%1\" -> \"%2\" (strength %3, threshold %4)")
                        .arg(QString::fromStdString(e.source), QString::fromStdString(e.target))
                        .arg(e.strength, 0, 'g', 6)
                        .arg(e.threshold, 0, 'g', 6));
  }
  const QString software = QCoreApplication::applicationName().isEmpty()
                               ? QStringLiteral("DeltaEdit Studio")
                               : QCoreApplication::applicationName();
  return {
      {"Software", software.toStdString()},
      {"Description", readable.isEmpty() ? std::string("DeltaEdit: no edits (the inversion)")
                                         : ("DeltaEdit: " + readable.join("; ")).toStdString()},
      {"DeltaEdit:edits", QJsonDocument(edits).toJson(QJsonDocument::Compact).toStdString()},
      {"DeltaEdit:photo", session.photo.filename().string()},
  };
}

void export_png(engine::EditEngine& engine, const engine::EditSession& session,
                const std::filesystem::path& file, const ExportOptions& options) {
  face::RgbImage image = engine.render(session, engine.edited_s(session));
  if (options.full_photo) image = engine.paste_back(session, image);
  face::save_png(file, image, export_metadata(session), options.overwrite);
}

}  // namespace deltaedit::ui
