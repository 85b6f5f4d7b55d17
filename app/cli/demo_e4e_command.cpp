// `deltaedit demo train-e4e`: the demo bundle's small e4e encoder, trained to invert the demo
// generator (core/demo_train/e4e_trainer.h), written in encoder4editing's checkpoint layout with
// float16 weights (half the size for the < 25 MB bundle; load_e4e and PyTorch's load_state_dict
// convert them back, and the trained module is rounded first, so the file gives its W+ exactly).
// --init FILE fine-tunes an earlier run's e4e.pt instead of starting afresh.
// With --data DIR (a `demo dataset` folder) one step in three trains on DIR/train portraits and
// the reconstruction PSNR of G(e4e(x)) on 200 DIR/heldout portraits is reported.
// --readout-weight W adds the read-out loss of the attribute draws (E4eTrainOptions); on the
// dataset's portraits it reads their attributes from DIR/attributes.jsonl.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

#include "app/cli/commands.h"
#include "app/cli/engine_setup.h"
#include "app/cli/exit_codes.h"
#include "app/cli/progress_line.h"
#include "core/demo_train/e4e_trainer.h"
#include "core/demo_train/latent_portraits.h"
#include "core/demo_train/predictor_training.h"
#include "core/io/model_file_error.h"

namespace deltaedit::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string fixed(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, v);
  return text;
}

}  // namespace

int run_demo_train_e4e(const ParsedArgs& args) {
  if (args.words.size() != 2)
    throw UsageError("demo train-e4e takes no positional arguments (see deltaedit --help)");
  const auto gen_file = args.value("generator");
  const auto out_arg = args.value("out");
  if (!gen_file || gen_file->empty()) throw UsageError("demo train-e4e: give --generator FILE");
  if (!out_arg || out_arg->empty()) throw UsageError("demo train-e4e: give the output with --out");
  const fs::path out = *out_arg;
  demo_train::E4eTrainOptions o;
  o.steps = integer_option(args, "steps", o.steps, 0);
  o.batch = integer_option(args, "batch", o.batch, 1);
  o.seed = seed_option(args);
  o.attribute_weight = weight_option(args, "attribute-weight", o.attribute_weight);
  o.readout_weight = weight_option(args, "readout-weight", o.readout_weight);
  o.delta_weight = weight_option(args, "delta-weight", o.delta_weight);
  o.init = init_file_option(args, "e4e");
  const auto data = args.value("data");
  if (data) o.real_every = 3;  // one step in three on the dataset's training portraits
  const bool quiet = args.flag("quiet");
  const fs::path state_file = out.string() + ".train_state.pt";

  ProgressLine line(quiet);
  if (fs::exists(out) && !fs::exists(state_file) && !args.flag("overwrite")) {
    line.done(out.string() + " exists: kept (a finished run; use --overwrite to train again)");
    return kOk;
  }
  use_all_cores();
  const auto t0 = Clock::now();
  try {
    auto gen = nets::load_generator(*gen_file, nets::choose_device("cpu"));
    const auto config = demo_train::small_e4e_config(gen.net->size(), gen.net->n_latent(),
                                                     gen.net->style_dim());
    torch::Tensor real, heldout, real_draws;
    if (data && o.readout_weight > 0) {
      // The portraits with their attributes, in the dataset's order.
      const auto d = demo_train::load_demo_images(*data, demo::Split::kTrain, 4096);
      if (gen.net->size() != d.images.size(1))
        throw std::runtime_error("--readout-weight with --data needs a " + std::to_string(d.images.size(1)) +
                                 " px generator");
      real = d.images.permute({0, 3, 1, 2}).contiguous();  // [N, H, W, 3] -> [N, 3, H, W]
      std::vector<torch::Tensor> draws;
      for (const auto& a : d.attributes) draws.push_back(demo_train::latent_draws_of(a));
      if (!draws.empty()) real_draws = torch::stack(draws);
    } else if (data) {
      real = demo_train::load_domain_images(fs::path(*data) / "train", 4096, gen.net->size());
    }
    if (data) {
      heldout = demo_train::load_domain_images(fs::path(*data) / "heldout", 200, gen.net->size());
      if (real.size(0) == 0 || heldout.size(0) == 0)
        throw std::runtime_error(*data + ": no train/ or heldout/ PNGs (see `demo dataset`)");
    }
    if (args.flag("overwrite")) fs::remove(state_file);
    demo_train::E4eTrainer trainer(gen, config, o, real, state_file, real_draws);
    if (trainer.resumed())
      line.done("resuming " + state_file.string() + " at step " + std::to_string(trainer.step()));
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    auto last = Clock::now() - std::chrono::seconds(1);
    int decile = -1;
    trainer.train([&](const demo_train::E4eTrainEvent& ev) {
      if (quiet) return;
      const double f = ev.steps > 0 ? static_cast<double>(ev.step) / ev.steps : 1.0;
      const std::string text = std::to_string(ev.step) + "/" + std::to_string(ev.steps) +
                               " steps  loss " + fixed(ev.losses.total, 4) + " (w " +
                               fixed(ev.losses.w, 4) + ", pixel " + fixed(ev.losses.pixel, 4) +
                               (o.readout_weight > 0 ? ", read-out " + fixed(ev.losses.readout, 4) : "") +
                               ", delta " + fixed(ev.losses.delta, 3) +
                               ")  " + fixed(ev.images_per_second, 1) + " images/s";
      const auto now = Clock::now();
      if (tty) {
        if (ev.step < ev.steps && now - last < std::chrono::milliseconds(200)) return;
        last = now;
        line.update("demo train-e4e", text, f);
      } else if (static_cast<int>(f * 10) > decile || ev.step == ev.steps) {
        decile = static_cast<int>(f * 10);
        line.done("demo train-e4e  " + text);
      }
    });
    trainer.save_e4e(out, /*float16=*/true);
    fs::remove(state_file);
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::string summary = out.string() + ": " + std::to_string(o.steps) + " steps (" +
                          fixed(s, 1) + " s)";
    if (data) {
      auto enc = trainer.encoder();
      const auto avg = trainer.latent_avg();
      const double psnr = demo_train::reconstruction_psnr(
          *gen.net, [&](const torch::Tensor& x) { return demo_train::encode_wplus(*enc, avg, x); },
          demo_train::images_to_unit_range(heldout));
      summary += ", held-out reconstruction PSNR " + fixed(psnr, 2) + " dB on " +
                 std::to_string(heldout.size(0)) + " images";
    }
    line.done(summary);
  } catch (const io::ModelFileError& e) {
    line.fail(std::string("deltaedit: ") + e.what());
    return kModelProblem;
  } catch (const std::invalid_argument& e) {  // e.g. an --init encoder of another generator
    line.fail(std::string("deltaedit: ") + e.what());
    return kModelProblem;
  } catch (const std::runtime_error& e) {
    line.fail(std::string("deltaedit: ") + e.what());
    return kInputProblem;
  }
  return kOk;
}

}  // namespace deltaedit::cli
