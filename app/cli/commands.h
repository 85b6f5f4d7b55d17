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

// `demo dataset` and `demo grid`: the demo domain's portraits (demo_commands.cpp).
int run_demo(const ParsedArgs& args);

}  // namespace deltaedit::cli
