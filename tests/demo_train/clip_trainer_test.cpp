// The demo CLIP trainer on a tiny model and ~200 portraits rendered in the test: the loss falls,
// held-out retrieval beats chance, the saved file loads through nets::load_clip with the same
// embeddings, and a resumed run continues exactly.
#include <gtest/gtest.h>

#include <cmath>

#include "core/demo_train/bpe_learner.h"
#include "core/demo_train/clip_captions.h"
#include "core/demo_train/clip_trainer.h"
#include "core/io/checkpoint_writer.h"
#include "core/io/model_file_error.h"
#include "tests/support/fixtures.h"

namespace deltaedit::demo_train {
namespace {

namespace fs = std::filesystem;

struct Setup {
  ClipExamples train, held_out;
  std::shared_ptr<const text::ClipTokenizer> tokenizer;
};

const Setup& setup() {
  static const Setup s = [] {
    Setup s;
    s.train = render_clip_examples(0, demo::Split::kTrain, 200, 64);
    s.held_out = render_clip_examples(0, demo::Split::kHeldOut, 64, 64);
    const auto merges = learn_bpe_merges(count_words(caption_corpus(s.train.attributes, 2)), 5000);
    const fs::path vocab = testing::temp_dir("clip_trainer_vocab") / "bpe_vocab.txt.gz";
    write_bpe_merges(vocab, merges);
    s.tokenizer =
        std::make_shared<const text::ClipTokenizer>(text::ClipTokenizer::from_file(vocab));
    return s;
  }();
  return s;
}

nets::ClipConfig tiny_config(int64_t vocab_size) {
  nets::ClipConfig c = demo_clip_config(vocab_size);
  c.embed_dim = 64;
  c.vision_width = 64;
  c.vision_heads = 1;
  c.vision_layers = 1;
  c.transformer_width = 64;
  c.transformer_heads = 1;
  c.transformer_layers = 1;
  return c;
}

TEST(ClipTrainer, ImageInputIsTheEnginesResampledE4eInput) {
  const auto& s = setup();
  const auto x = clip_image_input(s.train.images.slice(0, 0, 2));
  EXPECT_EQ(x.sizes(), (std::vector<int64_t>{2, 3, 224, 224}));
  // Kernel 2 on a x7 upsampling: each output pixel averages 2x2 upsampled copies, so a uniform
  // 3.5 x 3.5 block of output pixels equals the [-1, 1] value of one source pixel.
  const auto src = s.train.images[0][10][20].to(torch::kFloat32) / 127.5 - 1.0;  // [3]
  const auto out = x[0].select(1, 10 * 7 / 2 + 1).select(1, 20 * 7 / 2 + 1);      // [3]
  EXPECT_TRUE(torch::allclose(out, src, 1e-5, 1e-5)) << out << src;
}

TEST(ClipTrainer, InitFollowsClipsInitializeParameters) {
  const auto c = tiny_config(setup().tokenizer->vocab_size());
  auto m = init_clip_model(c, 3);
  EXPECT_NEAR(m->logit_scale.item<double>(), std::log(1 / 0.07), 1e-6);
  EXPECT_NEAR(m->token_embedding->weight.std().item<double>(), 0.02, 0.002);
  EXPECT_NEAR(m->positional_embedding.std().item<double>(), 0.01, 0.001);
  EXPECT_NEAR(m->text_projection.std().item<double>(), 1 / 8.0, 0.01);  // width^-0.5
  // The same seed gives the same model.
  auto again = init_clip_model(c, 3);
  EXPECT_TRUE(torch::equal(m->token_embedding->weight, again->token_embedding->weight));
}

TEST(ClipTrainer, LossFallsRetrievalBeatsChanceAndTheFileLoadsBack) {
  const auto& s = setup();
  ClipTrainOptions o;
  o.steps = 80;
  o.batch = 32;
  o.learning_rate = 2e-3;
  o.warmup_steps = 5;
  ClipTrainer trainer(tiny_config(s.tokenizer->vocab_size()), s.tokenizer, s.train, o);
  std::vector<double> losses;
  trainer.train([&](const ClipTrainProgress& p) { losses.push_back(p.loss); });
  ASSERT_EQ(losses.size(), 80u);
  // Untrained: about log(32) = 3.47.
  EXPECT_NEAR(losses.front(), std::log(32.0), 0.5);
  double last = 0.0;
  for (size_t i = losses.size() - 10; i < losses.size(); ++i) last += losses[i] / 10;
  EXPECT_LT(last, losses.front() - 0.4) << "first " << losses.front() << ", last 10 " << last;

  auto model = trainer.model();
  // 64 held-out portraits in 2 groups of 32: chance is 1/32 (this tiny run reaches 2/32).
  const auto ev = evaluate_clip(model, s.tokenizer, s.held_out, 32);
  EXPECT_EQ(ev.retrieval_group, 32);
  EXPECT_GT(ev.retrieval_top1, 1.0 / 32);
  ASSERT_EQ(ev.delta_alignment.size(), 7u);
  for (const auto& [prompt, cosine] : ev.delta_alignment) EXPECT_TRUE(std::isfinite(cosine)) << prompt;

  const fs::path file = testing::temp_dir("clip_trainer_save") / "clip.pt";
  io::save_state_dict(file, clip_state_dict(*model));
  auto loaded = nets::load_clip(file, nets::choose_device("cpu"));
  EXPECT_EQ(loaded.net->vocab_size(), s.tokenizer->vocab_size());
  EXPECT_EQ(loaded.net->image_resolution(), 224);
  torch::NoGradGuard no_grad;
  model->eval();
  const auto images = clip_image_input(s.held_out.images.slice(0, 0, 4));
  const auto ids = s.tokenizer->tokenize({"face with a smile", "a photo of a face with glasses."});
  EXPECT_TRUE(torch::equal(loaded.net->encode_image(images), model->encode_image(images)));
  EXPECT_TRUE(torch::equal(loaded.net->encode_text(ids), model->encode_text(ids)));
}

TEST(ClipTrainer, ResumeFromCheckpointContinuesExactly) {
  const auto& s = setup();
  ClipTrainOptions o;
  o.steps = 8;
  o.batch = 16;
  o.warmup_steps = 2;
  const auto config = tiny_config(s.tokenizer->vocab_size());
  ClipTrainer straight(config, s.tokenizer, s.train, o);
  straight.train();

  o.checkpoint = testing::temp_dir("clip_trainer_resume") / "state.pt";
  {
    ClipTrainer first(config, s.tokenizer, s.train, o);
    EXPECT_FALSE(first.resumed());
    for (int i = 0; i < 5; ++i) first.step();
    first.save_checkpoint();
  }
  ClipTrainer resumed(config, s.tokenizer, s.train, o);
  EXPECT_TRUE(resumed.resumed());
  EXPECT_EQ(resumed.steps_done(), 5);
  resumed.train();
  EXPECT_EQ(resumed.steps_done(), 8);
  const auto a = clip_state_dict(*straight.model()), b = clip_state_dict(*resumed.model());
  for (const auto& [name, t] : a.entries())
    EXPECT_TRUE(torch::allclose(t, b.at(name), 1e-5, 1e-6)) << name;
}

TEST(ClipTrainer, DeltaAlignmentLossMeasuresTheAngleOfTheTwoDifferences) {
  torch::manual_seed(2);
  const auto a = torch::randn({5, 8}), b = torch::randn({5, 8});
  // Text embeddings that are the image embeddings rescaled per row: the deltas of the
  // normalized embeddings coincide, so the loss is 0.
  EXPECT_NEAR(delta_alignment_loss(a, b, 3.0 * a, 0.5 * b).item<double>(), 0.0, 1e-6);
  // Swapped text pairs point the other way: 1 - (-1).
  EXPECT_NEAR(delta_alignment_loss(a, b, b, a).item<double>(), 2.0, 1e-6);
  // Orthogonal deltas: 1.
  const auto e0 = torch::eye(4)[0].view({1, 4}), e1 = torch::eye(4)[1].view({1, 4}),
             e2 = torch::eye(4)[2].view({1, 4}), e3 = torch::eye(4)[3].view({1, 4});
  EXPECT_NEAR(delta_alignment_loss(e0, e1, e2, e3).item<double>(), 1.0 - 0.0, 1e-6);
  // It trains: gradients reach both towers' features.
  auto ia = a.clone().requires_grad_(true), ta = torch::randn({5, 8}).requires_grad_(true);
  delta_alignment_loss(ia, b, ta, b).backward();
  EXPECT_GT(ia.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(ta.grad().abs().sum().item<double>(), 0.0);
}

TEST(ClipTrainer, DeltaSeparationLossPenalisesParallelDifferencesOfDifferentFamilies) {
  const auto e = torch::eye(4);
  const auto pairs = [&](int a0, int b0, int a1, int b1) {  // pair k moves from e[a_k] to e[b_k]
    return std::pair{torch::stack({e[a0], e[a1]}), torch::stack({e[b0], e[b1]})};
  };
  const auto fam = torch::tensor({0, 1}, torch::kLong);
  // e0 -> e1 and e2 -> e3 (image and text alike): orthogonal differences, loss 0.
  const auto [oa, ob] = pairs(0, 1, 2, 3);
  EXPECT_NEAR(delta_separation_loss(oa, ob, oa, ob, fam).item<double>(), 0.0, 1e-6);
  // Both pairs e0 -> e1: parallel image and text differences, 1 + 1.
  const auto [pa, pb] = pairs(0, 1, 0, 1);
  EXPECT_NEAR(delta_separation_loss(pa, pb, pa, pb, fam).item<double>(), 2.0, 1e-6);
  // The same family may share its direction: nothing to separate.
  EXPECT_EQ(delta_separation_loss(pa, pb, pa, pb, torch::tensor({3, 3}, torch::kLong)).item<double>(), 0.0);
  // Opposite changes are as entangled as equal ones (the sign of a change is the pair's): the
  // images e0 -> e1 and e1 -> e0 count 1, the orthogonal texts 0.
  const auto [ra, rb] = pairs(0, 1, 1, 0);
  EXPECT_NEAR(delta_separation_loss(ra, rb, oa, ob, fam).item<double>(), 1.0, 1e-6);
  // Rescaled embeddings change nothing (the differences are of normalized embeddings).
  EXPECT_NEAR(delta_separation_loss(3 * pa, 0.5 * pb, oa, ob, fam).item<double>(), 1.0, 1e-6);
  // It trains both towers.
  torch::manual_seed(3);
  auto ia = torch::randn({3, 8}).requires_grad_(true), ta = torch::randn({3, 8}).requires_grad_(true);
  const auto ib = torch::randn({3, 8}), tb = torch::randn({3, 8});
  delta_separation_loss(ia, ib, ta, tb, torch::tensor({0, 1, 2}, torch::kLong)).backward();
  EXPECT_GT(ia.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(ta.grad().abs().sum().item<double>(), 0.0);
}

// Fine-tuning starts from the file's weights exactly; batches with counterpart pairs train.
TEST(ClipTrainer, FineTunesFromAFileWithCounterpartPairs) {
  const auto& s = setup();
  const auto config = tiny_config(s.tokenizer->vocab_size());
  ClipTrainOptions o;
  o.seed = 5;
  auto start = init_clip_model(config, 11);
  const fs::path file = testing::temp_dir("clip_trainer_init") / "clip.pt";
  io::save_state_dict(file, clip_state_dict(*start));
  o.init = file;
  o.pair_fraction = 0.5;
  o.delta_weight = 1.0;
  o.delta_separation_weight = 1.0;
  o.batch = 16;
  o.steps = 6;
  o.warmup_steps = 2;
  ClipTrainer tuned(config, s.tokenizer, s.train, o);
  const auto want = clip_state_dict(*start), got = clip_state_dict(*tuned.model());
  for (const auto& [name, t] : want.entries()) EXPECT_TRUE(torch::equal(t, got.at(name))) << name;
  std::vector<double> losses;
  tuned.train([&](const ClipTrainProgress& p) { losses.push_back(p.loss); });
  ASSERT_EQ(losses.size(), 6u);
  for (double l : losses) EXPECT_TRUE(std::isfinite(l));
  EXPECT_FALSE(torch::equal(clip_state_dict(*tuned.model()).at("text_projection"), want.at("text_projection")));

  // Weights of another shape are refused, naming the file.
  auto other = tiny_config(s.tokenizer->vocab_size());
  other.embed_dim = 32;
  o.init = file;
  try {
    ClipTrainer wrong(other, s.tokenizer, s.train, o);
    ADD_FAILURE() << "a model of another shape was accepted";
  } catch (const io::ModelFileError& e) {
    EXPECT_NE(std::string(e.what()).find("clip.pt"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace deltaedit::demo_train
