// `deltaedit demo train-clip`: the demo bundle's small CLIP and its BPE vocabulary, learned from
// the demo dataset (core/demo_train/clip_trainer.h, bpe_learner.h). Writes OUT/bpe_vocab.txt.gz,
// OUT/clip.pt (a state dict nets::load_clip reads) and OUT/clip_train.json (settings and the
// held-out metrics). Resumable: a periodic checkpoint OUT/clip_train_state.pt is resumed, and a
// finished run (clip_train.json present) is kept.
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "app/cli/progress_line.h"
#include "core/demo_train/bpe_learner.h"
#include "core/demo_train/clip_captions.h"
#include "core/demo_train/clip_trainer.h"
#include "core/io/checkpoint_writer.h"
#include "core/io/model_file_error.h"
#include "core/train/train_files.h"

namespace deltaedit::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kMaxMerges = 8000;       // far more than the caption words need
constexpr int64_t kCorpusPortraits = 4000;  // training portraits whose captions feed BPE

std::string fixed(double v, int digits) {
  char text[64];
  std::snprintf(text, sizeof(text), "%.*f", digits, v);
  return text;
}

}  // namespace

int run_demo_train_clip(const ParsedArgs& args) {
  if (args.words.size() != 2)
    throw UsageError("demo train-clip takes no positional arguments (see deltaedit --help)");
  const auto data_arg = args.value("data");
  const auto out_arg = args.value("out");
  if (!data_arg || data_arg->empty()) throw UsageError("demo train-clip: give --data DIR");
  if (!out_arg || out_arg->empty()) throw UsageError("demo train-clip: give the output with --out");
  const fs::path data = *data_arg, out = *out_arg;
  demo_train::ClipTrainOptions o;
  o.steps = integer_option(args, "steps", o.steps, 1);
  o.batch = integer_option(args, "batch", o.batch, 2);
  o.seed = seed_option(args);
  o.learning_rate = args.number("lr", o.learning_rate);
  o.pair_fraction = args.number("pair-fraction", o.pair_fraction);
  o.delta_weight = args.number("delta-weight", o.delta_weight);
  o.delta_separation_weight = args.number("delta-separation", o.delta_separation_weight);
  o.neutral_source = args.number("neutral-source", o.neutral_source);
  if (!(o.learning_rate > 0) || !(o.pair_fraction >= 0 && o.pair_fraction <= 1) || !(o.delta_weight >= 0) ||
      !(o.delta_separation_weight >= 0) || !(o.neutral_source >= 0 && o.neutral_source <= 1))
    throw UsageError("demo train-clip: --lr must be positive, --pair-fraction and --neutral-source within "
                     "[0, 1], --delta-weight and --delta-separation >= 0");
  // Fine-tuning: the weights and the vocabulary of an earlier run (or a bundle folder).
  const auto init_arg = args.value("init");
  const fs::path init_dir = init_arg ? fs::path(*init_arg) : fs::path();
  if (!init_dir.empty()) o.init = init_dir / "clip.pt";
  o.checkpoint = out / "clip_train_state.pt";
  const bool quiet = args.flag("quiet");
  const fs::path clip_file = out / "clip.pt", vocab_file = out / "bpe_vocab.txt.gz",
                 report_file = out / "clip_train.json";
  if (fs::exists(report_file) && fs::exists(clip_file) && fs::exists(vocab_file)) {
    if (!quiet) std::cerr << out.string() << ": finished earlier (delete clip_train.json to redo)\n";
    return kOk;
  }
  fs::create_directories(out);
  const auto t0 = Clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(Clock::now() - t0).count(); };
  ProgressLine line(quiet);
  try {
    auto train = demo_train::load_clip_examples(data, demo::Split::kTrain);
    auto held_out = demo_train::load_clip_examples(data, demo::Split::kHeldOut);
    line.done("demo train-clip  read " + std::to_string(train.count()) + " training and " +
              std::to_string(held_out.count()) + " held-out portraits (" + fixed(seconds(), 1) +
              " s)");

    // The vocabulary: every caption and template word becomes one token (or the fine-tuned
    // model's own).
    size_t merges = 0;
    if (!init_dir.empty()) {
      for (const fs::path f : {init_dir / "clip.pt", init_dir / "bpe_vocab.txt.gz"})
        if (!fs::is_regular_file(f)) throw io::ModelFileError(f, "missing: --init needs clip.pt and bpe_vocab.txt.gz");
      if (!fs::exists(vocab_file) || !fs::equivalent(init_dir / "bpe_vocab.txt.gz", vocab_file))
        fs::copy_file(init_dir / "bpe_vocab.txt.gz", vocab_file, fs::copy_options::overwrite_existing);
    } else {
      const std::vector<demo::FaceAttributes> corpus_portraits(
          train.attributes.begin(),
          train.attributes.begin() + std::min<int64_t>(kCorpusPortraits, train.count()));
      const auto learned = demo_train::learn_bpe_merges(
          demo_train::count_words(demo_train::caption_corpus(corpus_portraits, 2)), kMaxMerges);
      demo_train::write_bpe_merges(vocab_file, learned);
      merges = learned.size();
    }
    auto tokenizer = std::make_shared<const text::ClipTokenizer>(
        text::ClipTokenizer::from_file(vocab_file));
    const std::string vocabulary_origin = init_dir.empty() ? std::to_string(merges) + " BPE merges"
                                                           : "the vocabulary of " + init_dir.string();
    line.done("demo train-clip  " + vocabulary_origin + ", " + std::to_string(tokenizer->vocab_size()) +
              " tokens");

    const nets::ClipConfig config = demo_train::demo_clip_config(tokenizer->vocab_size());
    demo_train::ClipTrainer trainer(config, tokenizer, std::move(train), o);
    if (trainer.resumed())
      line.done("demo train-clip  resumed at step " + std::to_string(trainer.steps_done()));
    const bool tty = ::isatty(STDERR_FILENO) != 0;
    double smoothed_loss = -1.0;  // moving average over ~20 steps
    auto last_print = Clock::now() - std::chrono::seconds(60);
    trainer.train([&](const demo_train::ClipTrainProgress& p) {
      smoothed_loss = smoothed_loss < 0 ? p.loss : 0.95 * smoothed_loss + 0.05 * p.loss;
      const auto now = Clock::now();
      if (quiet || (p.step < p.steps && now - last_print < std::chrono::seconds(tty ? 1 : 30)))
        return;
      last_print = now;
      const std::string text = "step " + std::to_string(p.step) + "/" + std::to_string(p.steps) +
                               "  loss " + fixed(smoothed_loss, 3) + "  scale " +
                               fixed(p.logit_scale, 1) + "  " + fixed(p.steps_per_second, 2) +
                               " steps/s";
      if (tty)
        line.update("demo train-clip", text, static_cast<double>(p.step) / p.steps);
      else
        line.done("demo train-clip  " + text);
    });
    io::save_state_dict(clip_file, demo_train::clip_state_dict(*trainer.model()));
    const double train_seconds = seconds();

    // Evaluate what was written, through the product's loader.
    auto loaded = nets::load_clip(clip_file, nets::choose_device("cpu"));
    const auto ev = demo_train::evaluate_clip(loaded.net, tokenizer, held_out);
    nlohmann::json report = {
        {"format", "deltaedit-demo-clip"},
        {"steps", o.steps},
        {"batch", o.batch},
        {"seed", o.seed},
        {"learning_rate", o.learning_rate},
        {"bpe_merges", init_dir.empty() ? nlohmann::json(merges) : nlohmann::json(nullptr)},
        {"pair_fraction", o.pair_fraction},
        {"delta_weight", o.delta_weight},
        {"delta_separation", o.delta_separation_weight},
        {"neutral_source", o.neutral_source},
        {"init", o.init.string()},
        {"vocab_size", config.vocab_size},
        {"embed_dim", config.embed_dim},
        {"vision", {{"width", config.vision_width}, {"layers", config.vision_layers},
                    {"patch", config.vision_patch_size}, {"resolution", config.image_resolution}}},
        {"text", {{"width", config.transformer_width}, {"layers", config.transformer_layers},
                  {"context", config.context_length}}},
        {"final_loss_smoothed", smoothed_loss},
        {"heldout_retrieval_top1", ev.retrieval_top1},
        {"retrieval_group", ev.retrieval_group},
        {"seconds", train_seconds},
    };
    for (const auto& [prompt, cosine] : ev.delta_alignment) report["delta_alignment"][prompt] = cosine;
    line.done("demo train-clip  held-out retrieval top-1 among " +
              std::to_string(ev.retrieval_group) + ": " + fixed(ev.retrieval_top1, 3));
    for (const auto& [prompt, cosine] : ev.delta_alignment)
      line.done("demo train-clip  cos(text direction, image delta) '" + prompt + "': " +
                fixed(cosine, 3));
    train::write_text_atomically(report_file, report.dump(2) + "\n");
    fs::remove(o.checkpoint);
    line.done(out.string() + ": clip.pt, bpe_vocab.txt.gz, clip_train.json (" +
              fixed(seconds(), 1) + " s)");
  } catch (const demo::DatasetError& e) {
    line.fail(std::string("deltaedit: ") + e.what());
    return kInputProblem;
  } catch (const io::ModelFileError& e) {
    line.fail(std::string("deltaedit: ") + e.what());
    return kModelProblem;
  }
  return kOk;
}

}  // namespace deltaedit::cli
