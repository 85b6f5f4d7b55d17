#include "app/cli/progress_line.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

namespace deltaedit::cli {

ProgressLine::ProgressLine(bool quiet) : quiet_(quiet), tty_(::isatty(STDERR_FILENO) != 0) {}

void ProgressLine::update(const std::string& item, const std::string& stage, double fraction) {
  if (quiet_) return;
  const int width = 24;
  const int filled = static_cast<int>(std::clamp(fraction, 0.0, 1.0) * width + 0.5);
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%s  %-28s [%s%s] %3d%%", item.c_str(), stage.c_str(),
                 std::string(filled, '#').c_str(), std::string(width - filled, ' ').c_str(),
                 static_cast<int>(fraction * 100 + 0.5));
  } else if (stage != last_stage_) {
    std::fprintf(stderr, "%s  %s\n", item.c_str(), stage.c_str());
  }
  last_stage_ = stage;
  std::fflush(stderr);
}

void ProgressLine::done(const std::string& message) {
  if (quiet_) return;
  if (tty_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s\n", message.c_str());
  last_stage_.clear();
}

void ProgressLine::fail(const std::string& message) {
  if (tty_ && !quiet_) std::fprintf(stderr, "\r\033[K");
  std::fprintf(stderr, "%s\n", message.c_str());
  last_stage_.clear();
}

}  // namespace deltaedit::cli
