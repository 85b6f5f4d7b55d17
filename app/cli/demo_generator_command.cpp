// `deltaedit demo train-generator`: the demo bundle's StyleGAN2 (generator_trainer.h).
#include <cmath>
#include <cstdio>
#include <iostream>

#include <torch/torch.h>

#include "app/cli/commands.h"
#include "app/cli/engine_setup.h"
#include "app/cli/exit_codes.h"
#include "app/cli/progress_line.h"
#include "core/demo_train/generator_trainer.h"
#include "core/io/model_file_error.h"

namespace deltaedit::cli {

int run_demo_train_generator(const ParsedArgs& args) {
  if (args.words.size() != 2)
    throw UsageError("demo train-generator takes no positional arguments");
  auto out = args.value("out");
  if (!out) out = args.value("output");
  if (!out || out->empty())
    throw UsageError("demo train-generator: give the output file with --out");
  demo_train::GeneratorTrainOptions o;
  o.steps = integer_option(args, "steps", o.steps, 0);
  o.batch = integer_option(args, "batch", o.batch, 1);
  o.seed = seed_option(args);
  o.learning_rate = args.number("lr", o.learning_rate);
  if (!(o.learning_rate > 0)) throw UsageError("--lr must be positive");
  o.attribute_weight = weight_option(args, "attribute-weight", o.attribute_weight);
  o.latent_code_weight = weight_option(args, "latent-code-weight", o.latent_code_weight);
  o.torgb_mix = args.number("torgb-mix", o.torgb_mix);
  if (!(o.torgb_mix >= 0 && o.torgb_mix <= 1))
    throw UsageError("demo train-generator: --torgb-mix must be within [0, 1]");
  o.init = init_file_option(args, "generator");
  use_all_cores();

  const bool quiet = args.flag("quiet");
  ProgressLine line(quiet);
  try {
    demo_train::train_demo_generator(*out, o, [&](const demo_train::GeneratorTrainEvent& e) {
      char text[160];
      std::snprintf(text, sizeof text, "step %lld/%lld  loss %.4f  %.2f steps/s%s",
                    static_cast<long long>(e.step), static_cast<long long>(e.steps), e.loss,
                    e.steps_per_second, e.saved ? "  (saved)" : "");
      if (e.saved)
        line.done(std::string("demo train-generator  ") + text);
      else
        line.update("demo train-generator", text,
                    static_cast<double>(e.step) / static_cast<double>(e.steps));
    });
  } catch (const io::ModelFileError& e) {
    line.fail(std::string("deltaedit: ") + e.what());
    return kModelProblem;
  }
  if (!quiet) std::cerr << *out << ": generator written\n";
  return kOk;
}

}  // namespace deltaedit::cli
