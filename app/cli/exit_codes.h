#pragma once
// Documented exit codes of `deltaedit` (also in --help and the README).
namespace deltaedit::cli {

enum ExitCode : int {
  kOk = 0,
  kInternalError = 1,   // a bug or an unexpected failure
  kUsage = 2,           // bad command line
  kModelProblem = 3,    // a model file missing, wrong or unreadable
  kInputProblem = 4,    // a photo, session or code file unreadable, corrupt, or without a face
  kOutputProblem = 5,   // output exists (no --overwrite), belongs to another run, or cannot be
                        // written
};

}  // namespace deltaedit::cli
