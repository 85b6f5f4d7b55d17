#include "ui/session_autosave.h"

#include <csignal>
#include <cerrno>

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStandardPaths>

namespace deltaedit::ui {

namespace {

const char* kMarkerSuffix = ".running";
const char* kAutosaveSuffix = ".deltaedit";

bool process_alive(qint64 pid) {
  if (pid <= 0) return false;
  return ::kill(pid_t(pid), 0) == 0 || errno == EPERM;
}

QString marker_for(const QString& autosave_file) {
  QString m = autosave_file;
  m.chop(qsizetype(strlen(kAutosaveSuffix)));
  return m + kMarkerSuffix;
}

}  // namespace

SessionAutosave::SessionAutosave(QString folder)
    : folder_(folder.isEmpty()
                  ? QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation))
                        .filePath("autosave")
                  : std::move(folder)),
      pid_(QCoreApplication::applicationPid()) {
  static int counter = 0;
  instance_ = QStringLiteral("%1-%2-%3")
                  .arg(pid_)
                  .arg(QDateTime::currentMSecsSinceEpoch())
                  .arg(++counter);
}

QString SessionAutosave::autosave_file() const {
  return QDir(folder_).filePath(QStringLiteral("session-") + instance_ + kAutosaveSuffix);
}

QString SessionAutosave::marker_file() const { return marker_for(autosave_file()); }

QStringList SessionAutosave::begin() {
  QDir().mkpath(folder_);
  QStringList leftovers;
  const QDir dir(folder_);
  for (const QFileInfo& marker :
       dir.entryInfoList({QStringLiteral("session-*") + kMarkerSuffix}, QDir::Files)) {
    QFile f(marker.filePath());
    qint64 pid = 0;
    if (f.open(QIODevice::ReadOnly)) pid = f.readAll().trimmed().toLongLong();
    // A live other process is still editing: leave its files alone. Our own pid means an
    // earlier window of this very process went away without a clean exit (the tests'
    // simulated crash); a window is alone in its process otherwise.
    if (marker.filePath() == marker_file()) continue;
    if (pid != pid_ && process_alive(pid)) continue;
    const QString autosave = dir.filePath(marker.completeBaseName() + kAutosaveSuffix);
    if (QFileInfo::exists(autosave))
      leftovers.append(autosave);
    else
      QFile::remove(marker.filePath());
  }
  QFile marker(marker_file());
  if (marker.open(QIODevice::WriteOnly | QIODevice::Truncate))
    marker.write(QByteArray::number(pid_) + '\n');
  return leftovers;
}

void SessionAutosave::save(const engine::EditSession& session) {
  QDir().mkpath(folder_);
  engine::save_session(autosave_file().toStdString(), session);
}

void SessionAutosave::clear() { QFile::remove(autosave_file()); }

void SessionAutosave::finish() {
  QFile::remove(autosave_file());
  QFile::remove(marker_file());
}

void SessionAutosave::discard(const QString& autosave_file) {
  QFile::remove(autosave_file);
  QFile::remove(marker_for(autosave_file));
}

}  // namespace deltaedit::ui
