#pragma once
// A one-line progress bar on stderr ("[2/5] photo.jpg  inverting (e4e)  [#####     ] 50%"),
// redrawn in place on a terminal and printed once per stage otherwise.
#include <string>

namespace deltaedit::cli {

class ProgressLine {
 public:
  explicit ProgressLine(bool quiet);
  void update(const std::string& item, const std::string& stage, double fraction);
  void done(const std::string& message);
  // Printed even when quiet: errors must always reach the user.
  void fail(const std::string& message);

 private:
  bool quiet_;
  bool tty_;
  std::string last_stage_;
};

}  // namespace deltaedit::cli
