// The training tools: generate-codes, train-mapper, relevance (see docs/training.md).
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <sstream>

#include "app/cli/commands.h"
#include "app/cli/engine_setup.h"
#include "app/cli/exit_codes.h"
#include "app/cli/output_paths.h"
#include "app/cli/progress_line.h"
#include "core/demo_train/latent_counterparts.h"
#include "core/engine/model_bundle.h"
#include "core/io/model_file_error.h"
#include "core/io/sha256.h"
#include "core/nets/common/device.h"
#include "core/train/code_generator.h"
#include "core/train/code_shards.h"
#include "core/train/mapper_trainer.h"
#include "core/train/relevance_matrix.h"
#include "core/train/train_errors.h"
#include "core/train/train_files.h"

namespace deltaedit::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string fixed(double v, int digits) {
  char b[64];
  std::snprintf(b, sizeof(b), "%.*f", digits, v);
  return b;
}

// A progress bar with a rate ("1200/10000 codes  35.2 codes/s"): redrawn on a terminal at most
// five times a second; elsewhere (logs) one line per tenth of the work.
class RateProgress {
 public:
  RateProgress(bool quiet, std::string what, std::string unit)
      : line_(quiet),
        quiet_(quiet),
        tty_(::isatty(STDERR_FILENO) != 0),
        what_(std::move(what)),
        unit_(std::move(unit)) {}

  // `first` = work already done before this session (resumed), excluded from the rate.
  void start(int64_t first) {
    first_ = first;
    t0_ = Clock::now();
  }
  double rate(int64_t done) const {
    const double s = std::chrono::duration<double>(Clock::now() - t0_).count();
    return s > 0 ? static_cast<double>(done - first_) / s : 0.0;
  }
  void tick(int64_t done, int64_t total) {
    if (quiet_ || total <= 0) return;
    const auto now = Clock::now();
    const double f = static_cast<double>(done) / static_cast<double>(total);
    const std::string text = std::to_string(done) + "/" + std::to_string(total) + " " + unit_ +
                             "  " + fixed(rate(done), 2) + " " + unit_ + "/s";
    if (tty_) {
      if (done < total && now - last_ < std::chrono::milliseconds(200)) return;
      last_ = now;
      line_.update(what_, text, f);
    } else if (static_cast<int>(f * 10) > decile_ || done == total) {
      decile_ = static_cast<int>(f * 10);
      line_.done(what_ + "  " + text);
    }
  }
  void done(const std::string& message) { line_.done(message); }

 private:
  ProgressLine line_;
  bool quiet_, tty_;
  std::string what_, unit_;
  int64_t first_ = 0;
  Clock::time_point t0_ = Clock::now(), last_{};
  int decile_ = -1;
};

nets::ComputeDevice device_from(const ParsedArgs& args) {
  try {
    return nets::choose_device(args.value("device").value_or("auto"));
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
}

int64_t positive(const ParsedArgs& args, const std::string& name, int64_t fallback,
                 int64_t minimum = 1) {
  const double v = args.number(name, static_cast<double>(fallback));
  if (v != std::floor(v) || v < static_cast<double>(minimum) || v > 9.0e15)
    throw UsageError("--" + name + " must be an integer >= " + std::to_string(minimum));
  return static_cast<int64_t>(v);
}

uint64_t seed_of(const ParsedArgs& args) {
  return static_cast<uint64_t>(positive(args, "seed", 0, 0));
}

// A model file: --<role> FILE, else the models folder's file for that role.
fs::path model_file(const ParsedArgs& args, const std::string& role) {
  fs::path file;
  if (auto v = args.value(role)) {
    file = *v;
  } else {
    const auto paths =
        engine::locate_models(engine::resolve_models_folder(args.value("models").value_or("")));
    file = role == "generator" ? paths.generator : role == "clip" ? paths.clip : paths.e4e;
  }
  if (!fs::exists(file))
    throw ModelsMissing("the " + role + " file " + file.string() + " does not exist (give --" +
                        role + " FILE or --models DIR)");
  return fs::absolute(file).lexically_normal();
}

fs::path output_of(const ParsedArgs& args, const std::string& command) {
  auto out = args.value("output");
  if (!out || out->empty()) throw UsageError(command + ": give the output with -o");
  return *out;
}

}  // namespace

int run_generate_codes(const ParsedArgs& args) {
  if (args.words.size() != 1)
    throw UsageError("generate-codes takes no positional arguments (use --images DIR)");
  const fs::path out = output_of(args, "generate-codes");
  const bool from_images = args.value("images").has_value();
  if (args.flag("aligned") && !from_images) throw UsageError("--aligned needs --images");
  const bool demo_pairs = args.flag("demo-counterparts");
  if (demo_pairs && from_images) throw UsageError("--demo-counterparts makes sampled codes, not --images");
  train::CodeSetInfo info;
  info.source = from_images ? "images" : "sampled";
  info.shard_size = positive(args, "shard-size", 1000);
  info.has_wplus = !args.flag("no-wplus");
  const int64_t batch = positive(args, "batch", 8);
  std::vector<fs::path> images;
  if (from_images) {
    if (args.value("count") || args.value("seed") || args.value("truncation"))
      throw UsageError("--count, --seed and --truncation apply to sampled codes, not --images");
    images = train::list_images(*args.value("images"));
    info.images_dir = fs::absolute(*args.value("images")).lexically_normal().string();
    info.image_list_sha256 = train::image_list_checksum(images);
    info.aligned = args.flag("aligned");
    info.count = static_cast<int64_t>(images.size());
  } else {
    info.count = positive(args, "count", 10000);
    info.seed = seed_of(args);
    info.truncation = args.number("truncation", 1.0);
    if (!(info.truncation > 0)) throw UsageError("--truncation must be > 0 (1 = none)");
    if (demo_pairs) {
      if (info.count % 2 || info.shard_size % 2)
        throw UsageError("--demo-counterparts needs an even --count and --shard-size (pairs)");
      info.pairing = demo_train::kLatentCounterpartPairing;
    }
  }
  info.generator = model_file(args, "generator").string();
  info.clip = model_file(args, "clip").string();
  if (from_images) info.e4e = model_file(args, "e4e").string();

  use_all_cores();
  const auto device = device_from(args);
  RateProgress progress(args.flag("quiet"), "codes", "codes");
  auto gen = nets::load_generator(info.generator, device);
  auto clip = nets::load_clip(info.clip, device);
  // CLIP sees the e4e inputs for photos (the encoder's input size, from its weights).
  std::optional<nets::LoadedE4e> e4e;
  if (from_images) e4e = nets::load_e4e(info.e4e, device);
  train::set_model_fields(info, gen, clip.net,
                          from_images ? e4e->net->config().input_size() : gen.net->size());
  const auto set = train::CodeSet::create_or_resume(out, info);
  const int64_t first_shard = set.complete_shards();
  const int64_t first = std::min(info.count, first_shard * info.shard_size);
  if (first_shard > 0)
    progress.done("resuming " + out.string() + " at shard " + std::to_string(first_shard) + " of " +
                  std::to_string(info.num_shards()));
  progress.start(first);
  const auto tick = [&](int64_t done, int64_t total) { progress.tick(done, total); };
  int skipped = 0;
  if (from_images) {
    if (e4e->net->style_count() != gen.net->n_latent() ||
        e4e->net->style_dim() != gen.net->style_dim())
      throw io::ModelFileError(info.e4e,
                               "the encoder's codes do not fit the generator " + info.generator);
    std::unique_ptr<face::FaceDetector> detector;
    if (!info.aligned)
      detector = std::make_unique<face::FaceDetector>(
          engine::locate_models(engine::resolve_models_folder(args.value("models").value_or("")))
              .dlib_predictor);
    train::generate_image_codes(set, images, {&gen, &*e4e, &clip.net, detector.get()}, tick,
                                [&](const fs::path& photo, const std::string& why) {
                                  ++skipped;
                                  std::cerr << "skipped " << photo.string() << ": " << why << "\n";
                                });
  } else {
    train::LatentPairing pairing;
    if (info.pairing == demo_train::kLatentCounterpartPairing) {
      if (gen.net->style_dim() < demo_train::kLatentAttributeDraws + 2)
        throw io::ModelFileError(info.generator, "has latents too short for the demo domain's counterparts");
      pairing = [seed = info.seed](const torch::Tensor& z, int64_t first_pair) {
        return demo_train::latent_counterpart_pairs(z, first_pair, seed);
      };
    }
    train::generate_sampled_codes(set, gen, clip.net, batch, tick, pairing);
  }
  progress.done(std::to_string(info.count - first) + " codes written to " + out.string() + " (" +
                fixed(progress.rate(info.count), 2) + " codes/s on " + device.describe() + ")" +
                (skipped ? ", " + std::to_string(skipped) + " photo(s) skipped" : ""));
  return kOk;
}

int run_train_mapper(const ParsedArgs& args) {
  const std::vector<fs::path> code_dirs(args.words.begin() + 1, args.words.end());
  if (code_dirs.empty()) throw UsageError("train-mapper: give at least one code folder");
  const fs::path out = output_of(args, "train-mapper");
  train::TrainOptions o;
  o.iterations = positive(args, "iterations", o.iterations, 0);
  o.batch_size = positive(args, "batch", o.batch_size);
  o.learning_rate = args.number("lr", o.learning_rate);
  o.seed = seed_of(args);
  o.weights.l2 = args.number("l2-weight", o.weights.l2);
  o.weights.cosine = args.number("cos-weight", o.weights.cosine);
  o.val_fraction = args.number("val-fraction", o.val_fraction);
  o.val_pairs = positive(args, "val-pairs", o.val_pairs);
  o.val_every = positive(args, "val-every", o.val_every, 0);
  o.save_every = positive(args, "save-every", o.save_every, 0);
  if (auto init = args.value("init")) o.init_weights = *init;
  o.paired_fraction = args.number("paired-fraction", o.paired_fraction);
  o.delta_noise = args.number("delta-noise", o.delta_noise);
  if (!(o.delta_noise >= 0 && o.delta_noise <= 100)) throw UsageError("--delta-noise must be in [0, 100]");
  if (!(o.learning_rate > 0)) throw UsageError("--lr must be > 0");
  if (o.weights.l2 < 0 || o.weights.cosine < 0) throw UsageError("loss weights must be >= 0");
  if (!(o.val_fraction >= 0 && o.val_fraction <= 0.5))
    throw UsageError("--val-fraction must be in [0, 0.5]");

  use_all_cores();
  const auto device = device_from(args);
  auto data = train::load_training_data(code_dirs);
  for (const auto& paired : args.all("paired")) train::add_paired_data(data, paired);
  std::unique_ptr<train::MapperTrainer> trainer;
  try {
    trainer = std::make_unique<train::MapperTrainer>(std::move(data), o, out, device.device);
  } catch (const std::invalid_argument& e) {
    throw UsageError(e.what());
  }
  RateProgress progress(args.flag("quiet"), "training", "steps");
  const auto cfg = trainer->mapper()->config();
  progress.done((trainer->resumed()
                     ? "resuming " + out.string() + " at step " + std::to_string(trainer->step())
                     : "training " + out.string()) +
                ": " + std::to_string(trainer->train_rows()) + " training and " +
                std::to_string(trainer->validation_rows()) + " validation codes, S " +
                std::to_string(cfg.sspace_dim()) + ", condition " +
                std::to_string(cfg.condition_dim) + ", on " + device.describe());
  progress.start(trainer->step());
  double steps_per_second = 0;
  trainer->train([&](const train::TrainEvent& ev) {
    steps_per_second = ev.steps_per_second;
    if (ev.validation || ev.saved) {
      std::string line = "step " + std::to_string(ev.step) + "/" + std::to_string(ev.iterations);
      if (ev.step > 0) line += "  train " + fixed(ev.train.total, 4);
      if (ev.validation)
        line += "  val " + fixed(ev.validation->total, 4) + " (l2 " + fixed(ev.validation->l2, 4) +
                ", 1-cos " + fixed(ev.validation->cosine, 4) + ")";
      if (ev.step > 0) line += "  " + fixed(ev.steps_per_second, 2) + " steps/s";
      if (ev.saved) line += "  saved";
      progress.done(line);
    } else {
      progress.tick(ev.step, ev.iterations);
    }
  });
  progress.done("mapper weights: " + (out / "net_face.pth").string() + " (step " +
                std::to_string(trainer->step()) +
                (steps_per_second > 0 ? ", " + fixed(steps_per_second, 2) + " steps/s" : "") + ")");
  return kOk;
}

int run_relevance(const ParsedArgs& args) {
  if (args.words.size() != 1) throw UsageError("relevance takes no positional arguments");
  const fs::path out = output_of(args, "relevance");
  if (fs::exists(out) && !args.flag("overwrite"))
    throw OutputExists(out.string() + " exists (use --overwrite to replace it)");
  train::RelevanceOptions o;
  o.k = args.number("k", o.k);
  o.batch = positive(args, "batch", o.batch);
  const int64_t num_images = positive(args, "num-images", 100);
  const int64_t chunk = positive(args, "chunk", 64);
  if (!(o.k > 0)) throw UsageError("--k must be > 0");
  const auto codes = args.value("codes");
  if (codes && (args.value("stats-samples") || args.value("seed") || args.value("truncation")))
    throw UsageError(
        "--stats-samples, --seed and --truncation apply to sampled statistics, not --codes");
  const int64_t stats_samples = positive(args, "stats-samples", 100000);
  const double truncation = args.number("truncation", 0.7);
  if (!(truncation > 0)) throw UsageError("--truncation must be > 0 (1 = none)");
  if (!codes && stats_samples < num_images)
    throw UsageError("--stats-samples must be >= --num-images");
  const fs::path generator = model_file(args, "generator"), clip_file = model_file(args, "clip");

  use_all_cores();
  const auto device = device_from(args);
  auto gen = nets::load_generator(generator, device);
  auto clip = nets::load_clip(clip_file, device);
  std::ostringstream settings;
  settings << "generator " << generator.string() << "\nclip " << clip_file.string() << "\nimages "
           << num_images << "\nk " << o.k << "\nchunk " << chunk << "\n";
  train::RelevanceInputs inputs;
  if (codes) {
    const auto set = train::CodeSet::open(*codes);
    if (set.info().s_widths != gen.net->s_widths())
      throw train::DataFileError(set.meta_file(),
                                 "holds codes of another generator than " + generator.string());
    inputs = train::relevance_inputs_from_codes(set, num_images);
    const std::string meta = train::read_text_file(set.meta_file());
    settings << "codes " << fs::absolute(*codes).lexically_normal().string() << " "
             << io::sha256_hex(meta.data(), meta.size()) << "\n";
  } else {
    inputs =
        train::sample_relevance_inputs(gen, stats_samples, num_images, seed_of(args), truncation);
    settings << "sampled " << stats_samples << " seed " << seed_of(args) << " truncation "
             << truncation << "\n";
  }
  train::RelevanceJob job{out, fs::path(out.string() + ".parts"), chunk, settings.str()};
  const int64_t S = inputs.s.size(1);
  RateProgress progress(args.flag("quiet"), "relevance", "channels");
  const int64_t first =
      fs::exists(job.parts_dir / "settings.txt") ? train::completed_channels(job, S) : 0;
  if (first > 0)
    progress.done("resuming at " + std::to_string(first) + " of " + std::to_string(S) +
                  " channels");
  progress.start(first);
  train::compute_relevance_matrix(job, gen, clip.net, inputs, o,
                                  [&](int64_t done, int64_t total) { progress.tick(done, total); });
  progress.done("relevance matrix [" + std::to_string(S) + ", " +
                std::to_string(clip.net->embed_dim()) + "] written to " + out.string() + " (" +
                std::to_string(num_images) + " images, k " + fixed(o.k, 2) + ", statistics over " +
                std::to_string(inputs.stats.count) + " codes, " + fixed(progress.rate(S), 3) +
                " channels/s on " + device.describe() + ")");
  return kOk;
}

}  // namespace deltaedit::cli
