// `deltaedit demo build`: the demo bundle from nothing, stage by stage, each stage one of the
// `deltaedit` commands (so each resumes the way that command does). A finished stage leaves
// WORK/stages/<name>.json with its wall time and is skipped on a rerun; the bundle folder gets
// the products, a manifest with sizes and checksums, a sample portrait, and build.json
// recording how it was made (seed, steps, versions, per-stage times).
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <torch/version.h>
#include <nlohmann/json.hpp>

#include "app/cli/commands.h"
#include "app/cli/exit_codes.h"
#include "core/demo/demo_dataset.h"
#include "core/io/sha256.h"
#include "core/train/train_files.h"

namespace deltaedit::cli {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How much each stage trains: the defaults make the committed bundle; --quick makes a tiny
// bundle in about a minute, to check the whole chain (the tests use it).
struct BuildPlan {
  int64_t train_images = 30000, held_out = 2000;
  int64_t generator_steps = 8000, clip_steps = 1600, clip_batch = 128, e4e_steps = 2000;
  // Then the generator fine-tuned so that it draws the mouth, glasses, beard and eyes: the plain
  // loss left its mapping without those attribute draws (docs/demo_bundle.md). The pixel loss is
  // weighted where they are drawn (attribute_regions.h), and a read-out of W must give back every
  // draw. e4e's pixel loss is weighted the same way, so that it keeps those features.
  int64_t generator_region_steps = 2500;
  double attribute_weight = 10, latent_code_weight = 1;
  // Then fine-tuned so that the toRGB layers, which edits leave on the photo's W+, draw nothing
  // of one portrait (train-generator --torgb-mix): that generator drew most of a skin-tone change
  // and half of a hair-colour change in toRGB, where no edit of S could reach them.
  int64_t generator_colour_steps = 2500;
  double torgb_mix = 0.5;
  // Then once more with the region weight doubled: that generator's smile correlated only 0.40
  // with its latent, and a latent's whole smile change moved the smile reading 0.20 standard
  // deviations (the renderer's: 1.44). After these steps 0.78 and 0.51.
  int64_t generator_mouth_steps = 2500;
  double mouth_attribute_weight = 20;
  // Then e4e fine-tuned for more steps (learning rate restarted): every longer run kept more of
  // the glasses, eyes and mouth (docs/demo_bundle.md). These steps also read the attribute draws
  // from its W+ and compare them with the true W's, or with the dataset portraits' attributes
  // (train-e4e --readout-weight): the reconstructions kept twice as much of the eye size.
  int64_t e4e_more_steps = 1500;
  double readout_weight = 0.3;
  // These steps also weight e4e's delta regulariser (each W+ slot's distance from the first) so
  // that it counts (train-e4e --delta-weight; at e4e's 2e-4 it was a two-hundredth of the pixel
  // loss): the generator's own glasses change, added to inversions spread over their slots,
  // drew glasses on 57 % of held-out faces and enlarged their eyes 0.75 std; after these steps
  // on 98 % with 0.44 std. The lightest weight at which calibration passed its most prompts
  // (0.01, 0.02 and 0.05 all 6): the reconstructions lose 1.8 dB (2.5 at 0.02).
  double e4e_delta_weight = 0.01;
  // Then CLIP fine-tuned on counterpart pairs with the delta-alignment loss: single-attribute
  // text directions align with the image differences they name (docs/demo_bundle.md).
  int64_t clip_pair_steps = 400;
  // Then with the delta-separation loss too: the differences of pairs that change different
  // attributes must point different ways. The clip-pairs CLIP gave a smile, big eyes, a beard
  // and glasses nearly the same text direction (cosines up to 0.93), and the mapper nearly the
  // same edit for them.
  int64_t clip_separate_steps = 400;
  double delta_separation = 1;
  // Then with every short caption pair that names the attribute on both sides ("blond hair" /
  // "red hair", "a frown" / "a smile") saying just "face" on one side (train-clip
  // --neutral-source 1): an edit's text delta starts from "face", which those captions never
  // said, and its alignment with the image differences rose (blond hair 0.70 -> 0.83, smile
  // 0.75 -> 0.91, big eyes 0.53 -> 0.82).
  int64_t clip_neutral_steps = 400;
  double neutral_source = 1;
  int64_t codes = 20000, mapper_steps = 10000, relevance_images = 16, stats_samples = 20000;
  // Training portraits inverted by the new e4e, as DeltaEdit trains on FFHQ inversions too: the
  // mapper then also sees the codes and CLIP embeddings of real (sharp) portraits it will edit.
  int64_t real_codes = 4000;
  // Training portraits paired with a re-rendering that changes one attribute, inverted too: the
  // mapper also learns what a single-attribute delta asks of S (train-mapper --paired).
  int64_t counterpart_pairs = 4000;
  // And pairs the generator draws itself, a latent and the same latent with one attribute moved
  // (generate-codes --demo-counterparts): the whole change, where e4e keeps only part of it.
  // Both sets give this share of each mapper batch.
  int64_t latent_pair_codes = 8000;
  double paired_fraction = 0.35;
  // Noise on the mapper's training deltas (train-mapper --delta-noise): the text deltas it gets
  // at inference agree with the image deltas only in part, and trained on clean ones the mapper
  // turned the rest into side effects (on the seventh build's codes, dark skin moved the glasses
  // reading 0.60 std; 0.46 with this noise).
  double delta_noise = 0.5;
  int64_t predictor_steps = 1200;
  int64_t calibrate_images = 60;  // training portraits per candidate beta
  int64_t evaluate_images = 100;

  static BuildPlan quick() {
    BuildPlan p;
    p.train_images = 256;
    p.held_out = 32;
    p.generator_steps = 20;
    p.generator_region_steps = 10;
    p.generator_colour_steps = 10;
    p.generator_mouth_steps = 10;
    p.clip_steps = 10;
    p.clip_batch = 16;
    p.clip_pair_steps = 4;
    p.clip_separate_steps = 4;
    p.clip_neutral_steps = 4;
    p.e4e_steps = 10;
    p.e4e_more_steps = 5;
    p.codes = 256;
    p.real_codes = 16;
    p.counterpart_pairs = 8;
    p.latent_pair_codes = 16;
    p.mapper_steps = 20;
    p.relevance_images = 2;
    p.stats_samples = 256;
    p.predictor_steps = 10;
    p.calibrate_images = 4;
    p.evaluate_images = 8;
    return p;
  }
  nlohmann::json to_json() const {
    return {{"train_images", train_images},
            {"held_out", held_out},
            {"generator_steps", generator_steps},
            {"generator_region_steps", generator_region_steps},
            {"attribute_weight", attribute_weight},
            {"latent_code_weight", latent_code_weight},
            {"generator_colour_steps", generator_colour_steps},
            {"generator_mouth_steps", generator_mouth_steps},
            {"mouth_attribute_weight", mouth_attribute_weight},
            {"torgb_mix", torgb_mix},
            {"clip_steps", clip_steps},
            {"clip_batch", clip_batch},
            {"clip_pair_steps", clip_pair_steps},
            {"clip_separate_steps", clip_separate_steps},
            {"delta_separation", delta_separation},
            {"clip_neutral_steps", clip_neutral_steps},
            {"neutral_source", neutral_source},
            {"e4e_steps", e4e_steps},
            {"e4e_more_steps", e4e_more_steps},
            {"readout_weight", readout_weight},
            {"e4e_delta_weight", e4e_delta_weight},
            {"codes", codes},
            {"real_codes", real_codes},
            {"counterpart_pairs", counterpart_pairs},
            {"latent_pair_codes", latent_pair_codes},
            {"paired_fraction", paired_fraction},
            {"delta_noise", delta_noise},
            {"mapper_steps", mapper_steps},
            {"relevance_images", relevance_images},
            {"stats_samples", stats_samples},
            {"predictor_steps", predictor_steps},
            {"calibrate_images", calibrate_images},
            {"evaluate_images", evaluate_images}};
  }
};

struct Stage {
  std::string name;
  ParsedArgs args;  // the command it runs
  int (*run)(const ParsedArgs&);
};

ParsedArgs command(std::vector<std::string> words,
                   std::vector<std::pair<std::string, std::string>> values,
                   std::vector<std::string> flags = {}) {
  ParsedArgs a;
  a.words = std::move(words);
  for (auto& [k, v] : values) a.values[k].push_back(v);
  a.flags = std::move(flags);
  return a;
}

std::string str(int64_t v) { return std::to_string(v); }
std::string number(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// The bundle's files: role, file in WORK, name in the bundle.
struct BundleFile {
  const char* role;
  fs::path from;
  const char* name;
};

void write_json(const fs::path& file, const nlohmann::json& j) {
  train::write_text_atomically(file, j.dump(2) + "\n");
}

}  // namespace

int run_demo_build(const ParsedArgs& args) {
  if (args.words.size() != 2) throw UsageError("demo build takes no positional arguments");
  const fs::path out = args.value("out").value_or("models/demo");
  const fs::path work = args.value("work").value_or("demo-work");
  const std::string seed = args.value("seed").value_or("0");
  // A fine-tune's own batches: the build seed + k, so that it does not replay its start's.
  const auto seed_plus = [&](uint64_t k) { return std::to_string(std::stoull(seed) + k); };
  const bool quick = args.flag("quick");
  const BuildPlan plan = quick ? BuildPlan::quick() : BuildPlan();
  std::vector<std::string> quiet;
  if (args.flag("quiet")) quiet.push_back("quiet");
  // The stage's own flag, beside --quiet when the build was given it.
  const auto quiet_and = [&](const std::string& flag) {
    auto flags = quiet;
    flags.push_back(flag);
    return flags;
  };

  // gen: the generator every later stage uses (the last fine-tuned one).
  const fs::path data = work / "data", first_gen = work / "generator.pt",
                 region_gen = work / "generator-regions.pt", colour_gen = work / "generator-colour.pt",
                 gen = work / "generator-mouth.pt",
                 clip = work / "clip-neutral" / "clip.pt";
  // e4e: the encoder every later stage uses (the fine-tuned one).
  const fs::path vocab = work / "clip-neutral" / "bpe_vocab.txt.gz", first_e4e = work / "e4e.pt",
                 e4e = work / "e4e-more.pt";
  const fs::path codes = work / "codes", mapper = work / "mapper", fs3 = work / "fs3.npy";
  const fs::path real_images = work / "real-images", real_codes = work / "codes-real";
  const fs::path pair_images = work / "counterparts", pair_codes = work / "codes-pairs";
  const fs::path latent_pair_codes = work / "codes-latent-pairs";
  // (S, CLIP) of aligned portraits in `images`, inverted by the new e4e.
  const auto inverted_codes = [&](const fs::path& images, const fs::path& output) {
    return command({"generate-codes"},
                   {{"output", output.string()},
                    {"images", images.string()},
                    {"generator", gen.string()},
                    {"clip", clip.string()},
                    {"e4e", e4e.string()},
                    {"device", "cpu"}},
                   quiet_and("aligned"));
  };
  // e4e trained to invert the fine-tuned generator, from `init` when given.
  const auto e4e_training = [&](const fs::path& output, int64_t steps, const std::string& run_seed,
                                const fs::path& init, double readout_weight, double delta_weight) {
    std::vector<std::pair<std::string, std::string>> values = {
        {"generator", gen.string()},
        {"out", output.string()},
        {"data", data.string()},
        {"steps", str(steps)},
        {"attribute-weight", number(plan.attribute_weight)},
        {"seed", run_seed}};
    if (!init.empty()) values.emplace_back("init", init.string());
    if (readout_weight > 0) values.emplace_back("readout-weight", number(readout_weight));
    if (delta_weight > 0) values.emplace_back("delta-weight", number(delta_weight));
    return command({"demo", "train-e4e"}, values, quiet);
  };
  // CLIP in WORK/`init` fine-tuned into WORK/`output` on counterpart pairs (half of each batch)
  // with the delta-alignment loss, plus `extra` options.
  const auto clip_fine_tune = [&](const std::string& output, const std::string& init, int64_t steps,
                                  const std::string& run_seed,
                                  std::vector<std::pair<std::string, std::string>> extra) {
    std::vector<std::pair<std::string, std::string>> values = {{"data", data.string()},
                                                               {"out", (work / output).string()},
                                                               {"init", (work / init).string()},
                                                               {"steps", str(steps)},
                                                               {"batch", str(plan.clip_batch)},
                                                               {"lr", "2e-4"},
                                                               {"pair-fraction", "0.5"},
                                                               {"delta-weight", "1"},
                                                               {"seed", run_seed}};
    values.insert(values.end(), extra.begin(), extra.end());
    return command({"demo", "train-clip"}, values, quiet);
  };
  // (S, CLIP) of `count` sampled latents of the generator (`flags`: how they are sampled).
  const auto sampled_codes = [&](const fs::path& output, int64_t count, std::vector<std::string> flags) {
    return command({"generate-codes"},
                   {{"output", output.string()},
                    {"count", str(count)},
                    {"generator", gen.string()},
                    {"clip", clip.string()},
                    {"seed", seed},
                    {"device", "cpu"}},
                   std::move(flags));
  };
  // The generator in `init` fine-tuned into `output` with the region-weighted loss and the
  // read-out of the attribute draws, plus `extra` options.
  const auto generator_fine_tune = [&](const fs::path& output, const fs::path& init, int64_t steps,
                                       double attribute_weight, const std::string& run_seed,
                                       std::vector<std::pair<std::string, std::string>> extra) {
    std::vector<std::pair<std::string, std::string>> values = {
        {"out", output.string()},
        {"init", init.string()},
        {"steps", str(steps)},
        {"lr", "0.01"},
        {"attribute-weight", number(attribute_weight)},
        {"latent-code-weight", number(plan.latent_code_weight)},
        {"seed", run_seed}};
    values.insert(values.end(), extra.begin(), extra.end());
    return command({"demo", "train-generator"}, values, quiet);
  };
  const std::vector<Stage> stages = {
      {"dataset",
       command({"demo", "dataset"},
               {{"out", data.string()},
                {"count", str(plan.train_images)},
                {"held-out", str(plan.held_out)},
                {"size", "64"},
                {"seed", seed}},
               quiet),
       run_demo},
      {"generator",
       command({"demo", "train-generator"},
               {{"out", first_gen.string()}, {"steps", str(plan.generator_steps)}, {"seed", seed}},
               quiet),
       run_demo_train_generator},
      {"generator-regions",
       generator_fine_tune(region_gen, first_gen, plan.generator_region_steps, plan.attribute_weight, seed, {}),
       run_demo_train_generator},
      {"generator-colour",
       generator_fine_tune(colour_gen, region_gen, plan.generator_colour_steps, plan.attribute_weight, seed,
                           {{"torgb-mix", number(plan.torgb_mix)}}),
       run_demo_train_generator},
      // Fresh batches: the next seed.
      {"generator-mouth",
       generator_fine_tune(gen, colour_gen, plan.generator_mouth_steps, plan.mouth_attribute_weight,
                           seed_plus(1), {{"torgb-mix", number(plan.torgb_mix)}}),
       run_demo_train_generator},
      {"clip",
       command({"demo", "train-clip"},
               {{"data", data.string()},
                {"out", (work / "clip").string()},
                {"steps", str(plan.clip_steps)},
                {"batch", str(plan.clip_batch)},
                {"seed", seed}},
               quiet),
       run_demo_train_clip},
      {"clip-pairs", clip_fine_tune("clip-pairs", "clip", plan.clip_pair_steps, seed, {}), run_demo_train_clip},
      // Fresh batches: the next seed.
      {"clip-separate",
       clip_fine_tune("clip-separate", "clip-pairs", plan.clip_separate_steps, seed_plus(1),
                      {{"delta-separation", number(plan.delta_separation)}}),
       run_demo_train_clip},
      // Fresh batches again.
      {"clip-neutral",
       clip_fine_tune("clip-neutral", "clip-separate", plan.clip_neutral_steps, seed_plus(2),
                      {{"delta-separation", number(plan.delta_separation)},
                       {"neutral-source", number(plan.neutral_source)}}),
       run_demo_train_clip},
      {"e4e", e4e_training(first_e4e, plan.e4e_steps, seed, {}, 0, 0), run_demo_train_e4e},
      // Fresh batches: the next seed.
      {"e4e-more", e4e_training(e4e, plan.e4e_more_steps, seed_plus(1), first_e4e,
                                plan.readout_weight, plan.e4e_delta_weight),
       run_demo_train_e4e},
      {"codes", sampled_codes(codes, plan.codes, quiet), run_generate_codes},
      {"real-codes", inverted_codes(real_images, real_codes), run_generate_codes},
      {"counterparts",
       command({"demo", "counterparts"},
               {{"out", pair_images.string()},
                {"count", str(plan.counterpart_pairs)},
                {"size", "64"},
                {"seed", seed}},
               quiet),
       run_demo},
      {"pair-codes", inverted_codes(pair_images, pair_codes), run_generate_codes},
      {"latent-pair-codes",
       sampled_codes(latent_pair_codes, plan.latent_pair_codes, quiet_and("demo-counterparts")),
       run_generate_codes},
      {"mapper",
       command({"train-mapper", codes.string(), real_codes.string()},
               {{"output", mapper.string()},
                {"paired", pair_codes.string()},
                {"paired", latent_pair_codes.string()},
                {"paired-fraction", number(plan.paired_fraction)},
                {"delta-noise", number(plan.delta_noise)},
                {"iterations", str(plan.mapper_steps)},
                {"seed", seed},
                {"device", "cpu"}},
               quiet),
       run_train_mapper},
      {"relevance",
       command({"relevance"},
               {{"output", fs3.string()},
                {"generator", gen.string()},
                {"clip", clip.string()},
                {"num-images", str(plan.relevance_images)},
                {"stats-samples", str(plan.stats_samples)},
                {"seed", seed},
                {"device", "cpu"}},
               quiet),
       run_relevance},
  };

  fs::create_directories(work / "stages");
  // The real-codes stage reads the first training portraits through links (no copies).
  if (!fs::exists(work / "stages" / "real-codes.json")) {
    fs::create_directories(real_images);
    for (int64_t i = 0; i < plan.real_codes; ++i) {
      char name[32];
      std::snprintf(name, sizeof(name), "%06lld.png", static_cast<long long>(i));
      const fs::path link = real_images / name;
      if (!fs::exists(fs::symlink_status(link))) fs::create_symlink(fs::absolute(data / "train" / name), link);
    }
  }
  nlohmann::json timings = nlohmann::json::object();
  const auto run_stages = [&](const std::vector<Stage>& list) {
    for (const Stage& stage : list) {
      const fs::path marker = work / "stages" / (stage.name + ".json");
      if (fs::exists(marker)) {
        timings[stage.name] = nlohmann::json::parse(std::ifstream(marker));
        std::cerr << "demo build: " << stage.name << " already done ("
                  << timings[stage.name]["seconds"].get<double>() << " s)\n";
        continue;
      }
      std::cerr << "demo build: " << stage.name << "\n";
      const auto t0 = Clock::now();
      const int rc = stage.run(stage.args);
      if (rc != kOk) {
        std::cerr << "deltaedit: demo build stopped at stage '" << stage.name
                  << "' (rerun to resume)\n";
        return rc;
      }
      const double seconds = std::chrono::duration<double>(Clock::now() - t0).count();
      timings[stage.name] = {{"seconds", seconds}};
      write_json(marker, timings[stage.name]);
    }
    return static_cast<int>(kOk);
  };
  if (const int rc = run_stages(stages); rc != kOk) return rc;

  // The bundle: products, a sample portrait, the manifest and the build record.
  fs::create_directories(out);
  const std::vector<BundleFile> files = {{"generator", gen, "generator.pt"},
                                         {"e4e", e4e, "e4e.pt"},
                                         {"mapper", mapper / "net_face.pth", "net_face.pth"},
                                         {"clip", clip, "clip.pt"},
                                         {"clip_vocab", vocab, "bpe_vocab.txt.gz"},
                                         {"fs3", fs3, "fs3.npy"}};
  nlohmann::json manifest = {{"format", "deltaedit-model-bundle"},
                             {"name", "demo"},
                             {"description",
                              "DeltaEdit Studio's demo bundle: small networks "
                              "trained by `deltaedit demo build` on procedural "
                              "cartoon portraits (docs/demo_domain.md)"},
                             {"files", nlohmann::json::array()}};
  for (const BundleFile& f : files) {
    fs::copy_file(f.from, out / f.name, fs::copy_options::overwrite_existing);
    manifest["files"].push_back({{"role", f.role},
                                 {"file", f.name},
                                 {"size", fs::file_size(out / f.name)},
                                 {"sha256", io::sha256_file(out / f.name)}});
  }
  // dlib's predictor is not ours to ship: Debian's copy is used (demo portraits open aligned).
  manifest["files"].push_back(
      {{"role", "dlib_predictor"}, {"file", "shape_predictor_68_face_landmarks.dat"}});
  fs::copy_file(data / "heldout" / "000000.png", out / "sample.png",
                fs::copy_options::overwrite_existing);
  write_json(out / "manifest.json", manifest);

  // An attribute predictor that knows nothing of CLIP reads portraits edited by the new bundle
  // (edit_evaluation.h): on training portraits to choose the bundle's beta
  // (threshold_calibration.h), then on held-out ones for the acceptance table.
  const fs::path predictor = work / "predictor.pt", calibration = out / "calibration.md";
  const std::vector<Stage> calibration_stages = {
      {"predictor",
       command({"demo", "train-predictor"},
               {{"data", data.string()},
                {"out", predictor.string()},
                {"steps", str(plan.predictor_steps)},
                {"seed", seed}},
               quiet),
       run_demo},
      {"calibrate",
       command({"demo", "calibrate"},
               {{"models", out.string()},
                {"data", data.string()},
                {"predictor", predictor.string()},
                {"count", str(plan.calibrate_images)},
                {"out", calibration.string()}},
               quiet_and("overwrite")),
       run_demo},
  };
  // The bundle may have changed since the last run: always measure again.
  fs::remove(work / "stages" / "calibrate.json");
  fs::remove(work / "stages" / "evaluate.json");
  if (const int rc = run_stages(calibration_stages); rc != kOk) return rc;
  const auto chosen =
      nlohmann::json::parse(std::ifstream(fs::path(calibration).replace_extension(".json")));
  manifest["defaults"] = {{"threshold", chosen.at("threshold").get<double>()}};
  write_json(out / "manifest.json", manifest);

  const std::vector<Stage> evaluation = {
      {"evaluate",
       command({"demo", "evaluate"},
               {{"models", out.string()},
                {"data", data.string()},
                {"predictor", predictor.string()},
                {"count", str(plan.evaluate_images)},
                {"out", (out / "evaluation.md").string()}},
               quiet_and("overwrite")),
       run_demo},
  };
  if (const int rc = run_stages(evaluation); rc != kOk) return rc;

  write_json(out / "build.json",
             {{"command", "deltaedit demo build" + std::string(quick ? " --quick" : "")},
              {"seed", std::stoull(seed)},
              {"plan", plan.to_json()},
              {"stage_seconds", timings},
              {"versions",
               {{"deltaedit", "0.1.0"},
                {"renderer", demo::kRendererVersion},
                {"libtorch", TORCH_VERSION}}}});
  std::cerr << out.string() << ": demo bundle written\n";
  return kOk;
}

}  // namespace deltaedit::cli
