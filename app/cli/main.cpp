// deltaedit: the command-line face editor. Thin: parsing and dispatch; the work is in core/.
#include <iostream>
#include <string>

#include "app/cli/cli_args.h"
#include "app/cli/commands.h"
#include "app/cli/engine_setup.h"
#include "app/cli/exit_codes.h"
#include "app/cli/output_paths.h"
#include "core/engine/edit_engine.h"
#include "core/engine/edit_session.h"
#include "core/face/face_errors.h"
#include "core/io/model_file_error.h"
#include "core/train/train_errors.h"

namespace {

constexpr const char* kHelp = R"(deltaedit - text-driven portrait editing (DeltaEdit, CVPR 2023)

Usage:
  deltaedit edit PHOTO... --target "face with a smile" [--target ...] -o OUT
  deltaedit invert PHOTO -o SESSION.deltaedit
  deltaedit render SESSION.deltaedit [--target ...] -o OUT.png
  deltaedit models check [--verify-checksums]
  deltaedit models inspect FILE
  deltaedit generate-codes -o CODES [--count N] [--images DIR [--aligned]]
  deltaedit train-mapper CODES... -o RUN [--iterations N]
  deltaedit relevance -o fs3.npy [--codes CODES]
  deltaedit demo dataset --out DIR [--count N] [--held-out M] [--size 64|128] [--seed S]
  deltaedit demo grid --out FILE.png [--count 32] [--size 128] [--seed S]
  deltaedit demo counterparts --out DIR [--count N] [--size 64] [--seed S]
  deltaedit demo build [--out models/demo] [--work demo-work] [--seed S] [--quick]
  deltaedit demo train-generator --out FILE [--steps N] [--batch B] [--lr X] [--seed S]
                                [--init FILE] [--attribute-weight W] [--latent-code-weight W]
                                [--torgb-mix F]
  deltaedit demo train-e4e --generator FILE --out FILE [--data DIR] [--steps N] [--batch B]
                          [--attribute-weight W] [--readout-weight W] [--delta-weight W]
                          [--init E4E.pt]
  deltaedit demo train-clip --data DIR --out DIR [--steps N] [--batch B] [--seed S] [--init DIR]
  deltaedit demo train-predictor --data DIR --out FILE [--steps N] [--seed S]
  deltaedit demo evaluate --models DIR --data DIR --predictor FILE [--count N] [--out report.md]
  deltaedit demo calibrate --models DIR --data DIR --predictor FILE [--count N] [--out FILE.md]
  deltaedit demo check-generator --generator FILE --predictor FILE [--count N] [--grid FILE.png]
                                [--pairs-grid FILE.png]

Edit options:
  --target TEXT       what the face should become; repeat to chain edits (each applied on
                      top of the previous one)
  --source TEXT       the neutral prompt (default "face")
  --strength A        edit strength alpha (default 1; negative reverses the edit); one value
                      for all targets or one per --target
  --threshold B       relevance threshold beta: StyleSpace channels less relevant to the
                      text direction than B are left unchanged (default: the model bundle's
                      recommended value; 0.03, DeltaEdit's, for the official models)
  --aligned           the photos are already FFHQ-aligned face crops: skip face detection
  --face N            which face to edit when there are several (0 = largest, default)
  --paste-back        write the whole photo with the edited face pasted back (default)
  --crop              write only the aligned face crop
  --resolution R      render at a preview resolution (power of two) instead of full size
  -o, --output PATH   output file; a folder when several photos are given
  --overwrite         replace existing outputs (never done otherwise)

Training options (docs/training.md; every command resumes when rerun with the same -o):
  generate-codes      sample z -> W+ -> S -> render -> CLIP embedding, in .npy shards
    --count N           codes to sample (default 10000)
    --truncation PSI    truncation toward the generator's latent_avg (default 1 = none)
    --images DIR        instead: codes of the photos in DIR (alignment, e4e; --aligned
                        when they are already aligned crops)
    --shard-size K      codes per shard (default 1000);  --no-wplus  do not keep W+
    --demo-counterparts sampled codes in pairs for train-mapper --paired: each latent of
                        the demo generator, then the same latent with one named attribute
                        moved to another level (rows 2k, 2k+1; even --count)
  train-mapper        DeltaEdit's text-free training of the mapper on code folders
    --iterations N      total steps (default 100000)   --batch B    pairs per step (64)
    --lr LR             Adam learning rate (default 0.5, DeltaEdit's)
    --l2-weight W, --cos-weight W   loss = W1 * MSE + W2 * (1 - cosine) (default 1, 1)
    --val-fraction F    codes held out for validation (default 0.05); --val-pairs P (1024)
    --val-every K       validate and log every K steps (1000); --save-every K (5000)
    --init FILE         start from these mapper weights (net_face.pth layout)
    --paired CODES      also train on counterpart pairs: codes whose rows 2k, 2k+1 are one
                        portrait before and after one attribute changed (demo counterparts);
                        --paired-fraction F of each batch (0.5) comes from them;
                        repeat --paired to train on several such folders
    --delta-noise SIGMA turns every training delta by noise of norm SIGMA (0 = none;
                        1 leaves a cosine of ~0.7), as far as text deltas stray from the
                        image deltas the mapper is trained on
  relevance           StyleCLIP's relevance matrix fs3 [S, E] for the generator and CLIP
    --num-images N      images each channel is tried on (default 100)
    --k K               channel set to mean -/+ K std (default 5)
    --stats-samples M   codes sampled for mean/std (default 100000, --truncation 0.7)
    --codes DIR         instead: statistics and images from a code folder
    --chunk C           channels per resumable part (default 64); --overwrite
  --generator FILE, --clip FILE, --e4e FILE   model files (default: the --models folder's)
  --seed S            random seed (default 0)
  --batch B           generate-codes: codes per network call (8); relevance: (channel,
                      image) pairs per call, two renders each (8)

Demo domain (docs/demo_domain.md): procedural cartoon portraits with captions
  demo dataset        DIR/train/NNNNNN.png, DIR/heldout/..., DIR/attributes.jsonl; resumes
    --count N           training images (default 10000);  --held-out M  held-out images (0)
    --size P            pixels (default 128);  --seed S  which portraits (default 0)
  demo grid           the first --count (32) training portraits of --seed, 8 per row
  demo counterparts   --count (4000) training portraits of --seed (NNNNNNa.png) each with a
                      re-rendering that changes one attribute (NNNNNNb.png), for
                      train-mapper --paired; --size (64)
  demo build          every stage below, then the bundle in --out (models/demo): dataset,
                      generator, generator-regions (fine-tuned with --attribute-weight and
                      --latent-code-weight), generator-colour (then with --torgb-mix),
                      generator-mouth (then with the --attribute-weight doubled), clip,
                      clip-pairs (fine-tuned on counterpart pairs), clip-separate (then
                      with --delta-separation), clip-neutral (then with
                      --neutral-source), e4e, e4e-more (fine-tuned further, with
                      --readout-weight and --delta-weight), codes, real-codes
                      (training portraits inverted), counterparts, pair-codes (inverted
                      too), latent-pair-codes (the generator's own pairs), mapper (with
                      --delta-noise), relevance, predictor, calibrate, evaluate;
                      resumable, a finished stage is skipped (calibrate and evaluate
                      always rerun);
                      --work DIR keeps the stages (demo-work);
                      --quick makes a tiny bundle in about a minute to check the chain
  demo train-generator  the demo StyleGAN2 (64 px) regressed on the portrait each latent
                      decides; --out generator.pt (+ .state to resume); --steps (2000)
                      --batch (12) --lr (0.01); --attribute-weight W (0) weights the pixel
                      loss by 1 + W x where the mouth, glasses, beard and eyes are drawn;
                      --latent-code-weight W (0) adds W x the error of a linear read-out
                      of W recovering the attribute draws (the mapping keeps them all);
                      --torgb-mix F (0): that share of each batch is drawn with the toRGB
                      layers reading another sample's W, so that everything a portrait has
                      is drawn from S, which edits change;
                      --init FILE fine-tunes that generator instead of starting afresh
  demo train-clip     the demo CLIP and its BPE vocabulary, trained on --data into --out
                      (clip.pt, bpe_vocab.txt.gz, clip_train.json); --steps (800) --batch (64)
                      --lr (0.001); --pair-fraction F (0): that share of each batch is
                      portraits paired with a re-rendering that changes one attribute,
                      captioned to differ only there; --delta-weight W (0) adds W x (1 -
                      cos) of their image and text embedding differences to the loss;
                      --delta-separation W (0) adds W x the squared cosines between the
                      differences of pairs that change different attributes;
                      --neutral-source F (0): that share of the short caption pairs
                      that name the attribute on both sides ("blond hair" / "red hair")
                      says just "face" on one side;
                      --init DIR fine-tunes the clip.pt
                      and vocabulary in DIR (a train-clip output or a bundle)
  demo train-e4e      the demo e4e encoder inverting --generator into --out (+ .train_state.pt
                      to resume); --data DIR adds the dataset's portraits (one step in three)
                      and reports the held-out PSNR; --steps (300) --batch (16); --init E4E.pt
                      fine-tunes an encoder of the same generator; --attribute-weight W (0)
                      weights the pixel loss like train-generator's; --readout-weight W (0)
                      adds W x the error of the attribute draws read from its W+ (against
                      the true W's, or the dataset portraits' own attributes);
                      --delta-weight W (2e-4, e4e's) weights the delta regulariser, the
                      distance of each W+ slot from the first: heavier keeps inversions
                      where edits act as on the generator's own codes, at some PSNR
  demo train-predictor  the attribute predictor (a small CNN, independent of CLIP) on --data;
                      --out FILE (+ FILE.partial to resume); --steps (2500) --batch (64) --lr
  demo evaluate       held-out portraits of --data edited with the --models bundle at
                      +/- --strength (1) for 7 prompts, read by --predictor; --count (200)
                      images; prints a Markdown table, --out writes it (+ .json beside it);
                      --threshold (the bundle's)
  demo calibrate      the same on --count (200) training portraits at betas from 0 to 0.06;
                      prints the table and the best beta, --out writes it (+ .json); `demo
                      build` puts that beta in the bundle's manifest as its default
  demo check-generator  --count (512) samples of --generator read by --predictor against
                      what their latents decide (correlation / accuracy per attribute), and
                      how each score moves when the latent changes one attribute family
                      (and how much of that change the toRGB layers draw, out of reach of
                      an edit of S);
                      --grid FILE.png writes 32 of them, each row below the renderer's
                      portraits of the same latents; --pairs-grid FILE.png two latent
                      counterpart pairs per family, the renderer's then the generator's

Common options:
  --models DIR        model folder (default: $DELTAEDIT_MODELS, else models/ffhq when
                      complete, else the bundled models/demo)
  --device D          auto (CUDA when present, default), cpu, cuda or cuda:N
  --quiet             no progress output
  -h, --help          this help;  --version  the version

Exit codes:
  0 success   1 internal error   2 bad command line   3 model file missing or wrong
  4 photo/session/code file unreadable, corrupt or without a face
  5 output exists, belongs to another run, or cannot be written
)";

int dispatch(const deltaedit::cli::ParsedArgs& args) {
  using namespace deltaedit::cli;
  const auto& w = args.words;
  if (args.flag("help") || w.empty()) {
    std::cout << kHelp;
    return w.empty() && !args.flag("help") ? kUsage : kOk;
  }
  if (w[0] == "edit") return run_edit(args);
  if (w[0] == "invert") return run_invert(args);
  if (w[0] == "render") return run_render(args);
  if (w[0] == "models" && w.size() >= 2 && w[1] == "check") return run_models_check(args);
  if (w[0] == "models" && w.size() >= 2 && w[1] == "inspect") return run_models_inspect(args);
  if (w[0] == "generate-codes") return run_generate_codes(args);
  if (w[0] == "train-mapper") return run_train_mapper(args);
  if (w[0] == "relevance") return run_relevance(args);
  if (w[0] == "demo") return run_demo(args);
  throw UsageError("unknown command '" + w[0] + "' (see deltaedit --help)");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace deltaedit;
  using namespace deltaedit::cli;
  try {
    for (int i = 1; i < argc; ++i)
      if (std::string(argv[i]) == "--version") {
        std::cout << "deltaedit 0.1.0\n";
        return kOk;
      }
    const auto args = parse_args(
        argc, argv,
        {"target", "source", "strength", "threshold", "face", "output", "models", "device",
         "resolution",
         // training tools
         "count", "shard-size", "batch", "seed", "truncation", "images", "generator", "clip",
         "e4e", "iterations", "lr", "l2-weight", "cos-weight", "val-fraction", "val-pairs",
         "val-every", "save-every", "init", "codes", "num-images", "k", "stats-samples", "chunk",
         // demo domain
         "out", "size", "held-out", "data", "steps", "work", "predictor", "pair-fraction", "delta-weight", "paired", "paired-fraction", "attribute-weight",
         "grid", "latent-code-weight", "pairs-grid", "readout-weight", "torgb-mix", "delta-separation", "delta-noise", "neutral-source"},
        {"aligned", "crop", "paste-back", "overwrite", "quiet", "help", "verify-checksums",
         "no-wplus", "quick", "demo-counterparts"});
    return dispatch(args);
  } catch (const UsageError& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kUsage;
  } catch (const ModelsMissing& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kModelProblem;
  } catch (const io::ModelFileError& e) {
    std::cerr << "deltaedit: model file problem: " << e.what() << "\n";
    return kModelProblem;
  } catch (const face::FaceModelError& e) {
    std::cerr << "deltaedit: model file problem: " << e.what() << "\n";
    return kModelProblem;
  } catch (const OutputExists& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kOutputProblem;
  } catch (const face::ImageError& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kInputProblem;
  } catch (const engine::NoFaceError& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kInputProblem;
  } catch (const engine::SessionFileError& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kInputProblem;
  } catch (const train::DataFileError& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kInputProblem;
  } catch (const train::OutputConflict& e) {
    std::cerr << "deltaedit: " << e.what() << "\n";
    return kOutputProblem;
  } catch (const std::exception& e) {
    std::cerr << "deltaedit: internal error: " << e.what() << "\n";
    return kInternalError;
  }
}
