#pragma once
// The subcommands of `deltaedit`. Each returns an exit code (exit_codes.h) and reports problems
// on stderr; exceptions are mapped to exit codes by main.
#include "app/cli/cli_args.h"

namespace deltaedit::cli {

int run_edit(const ParsedArgs& args);
int run_invert(const ParsedArgs& args);
int run_render(const ParsedArgs& args);
int run_models_check(const ParsedArgs& args);
int run_models_inspect(const ParsedArgs& args);

// Training tools (train_commands.cpp, docs/training.md).
int run_generate_codes(const ParsedArgs& args);
int run_train_mapper(const ParsedArgs& args);
int run_relevance(const ParsedArgs& args);

// `demo dataset` and `demo grid`: the demo domain's portraits (demo_commands.cpp); run_demo
// dispatches every `demo <sub>`.
int run_demo(const ParsedArgs& args);

// The demo bundle's training stages (docs/demo_domain.md), one file each.
int run_demo_train_generator(const ParsedArgs& args);
int run_demo_build(const ParsedArgs& args);  // all stages in order: demo_build_command.cpp
int run_demo_train_e4e(const ParsedArgs& args);  // demo_e4e_command.cpp
int run_demo_train_clip(const ParsedArgs& args);  // demo_clip_command.cpp
int run_demo_train_predictor(const ParsedArgs& args);  // demo_eval_commands.cpp
int run_demo_evaluate(const ParsedArgs& args);         // demo_eval_commands.cpp
int run_demo_calibrate(const ParsedArgs& args);        // demo_eval_commands.cpp
int run_demo_check_generator(const ParsedArgs& args);  // demo_eval_commands.cpp

}  // namespace deltaedit::cli
