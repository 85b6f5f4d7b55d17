#include "core/demo_train/clip_trainer.h"

#include <chrono>
#include <cmath>
#include <fstream>

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/demo/demo_random.h"
#include "core/demo/portrait_renderer.h"
#include "core/demo/captions.h"
#include "core/demo_train/attribute_counterparts.h"
#include "core/demo_train/clip_captions.h"
#include "core/io/checkpoint_reader.h"
#include "core/io/checkpoint_writer.h"
#include "core/io/model_file_error.h"
#include "core/nets/clip/clip_resample.h"
#include "core/text/text_direction.h"

namespace deltaedit::demo_train {
namespace fs = std::filesystem;
namespace {

constexpr double kMaxLogitScale = 4.605170185988092;  // log(100), CLIP's clamp

// Random streams of the trainer (demo::mix_seed(seed, stream, index)).
enum : uint64_t { kStreamInit = 0xC11, kStreamEpoch = 0xC12, kStreamCaptions = 0xC13 };

// BGR Mat -> [H, W, 3] uint8 RGB tensor (a copy).
torch::Tensor rgb_tensor(const cv::Mat& bgr) {
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  return torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
}

void normal_(torch::Tensor& t, double std) {
  torch::NoGradGuard no_grad;
  t.normal_(0.0, std);
}

// Text-tower and MLP init of CLIP.initialize_parameters for one transformer.
void init_transformer(nets::ClipTransformer& tr, int64_t width, int64_t layers) {
  const double attn_std = 1.0 / std::sqrt(static_cast<double>(width));
  const double proj_std = attn_std / std::sqrt(2.0 * static_cast<double>(layers));
  const double fc_std = 1.0 / std::sqrt(2.0 * static_cast<double>(width));
  torch::NoGradGuard no_grad;
  for (const auto& m : *tr->resblocks) {
    auto* block = m->as<nets::ResidualAttentionBlock>();
    normal_(block->attn->in_proj_weight, attn_std);
    block->attn->in_proj_bias.zero_();  // nn.MultiheadAttention's init
    normal_(block->attn->out_proj->weight, proj_std);
    block->attn->out_proj->bias.zero_();
    normal_(block->mlp->c_fc->weight, fc_std);
    normal_(block->mlp->c_proj->weight, proj_std);
  }
}

double learning_rate_at(const ClipTrainOptions& o, int64_t step) {
  if (step < o.warmup_steps) return o.learning_rate * static_cast<double>(step + 1) / o.warmup_steps;
  const double t = static_cast<double>(step - o.warmup_steps) /
                   static_cast<double>(std::max<int64_t>(1, o.steps - o.warmup_steps));
  return o.learning_rate * 0.5 * (1.0 + std::cos(M_PI * std::min(1.0, t)));
}

// Token ids of `texts` cut after the longest row's EOT: exact for the causal text tower, and
// captions are far shorter than the context.
torch::Tensor caption_ids(const text::ClipTokenizer& tokenizer, const std::vector<std::string>& texts,
                          int64_t context) {
  auto ids = tokenizer.tokenize(texts, context, /*truncate=*/true);  // [B, context]
  const int64_t longest = nets::ClipModelImpl::eot_positions(ids).max().item<int64_t>() + 1;
  return ids.slice(1, 0, longest);
}

// Rows are pairs (a, b), [P, E] each -> [P, E]: the unit difference of their normalized
// embeddings, the direction DeltaEdit's delta space compares.
torch::Tensor pair_deltas(const torch::Tensor& a, const torch::Tensor& b) {
  const auto unit = [](const torch::Tensor& x) { return x / x.norm(2, -1, true); };
  return unit(unit(b) - unit(a));
}

}  // namespace

ClipExamples render_clip_examples(uint64_t seed, demo::Split split, int64_t count, int size) {
  ClipExamples ex;
  ex.images = torch::empty({count, size, size, 3}, torch::kUInt8);
  for (int64_t i = 0; i < count; ++i) {
    ex.attributes.push_back(demo::dataset_attributes(seed, split, i));
    ex.images[i].copy_(rgb_tensor(demo::render_face(ex.attributes.back(), size)));
  }
  return ex;
}

ClipExamples load_clip_examples(const fs::path& data_dir, demo::Split split) {
  const fs::path list = data_dir / "attributes.jsonl";
  std::ifstream in(list);
  if (!in) throw demo::DatasetError(list, "cannot be read (run `deltaedit demo dataset` first)");
  const std::string wanted(demo::split_folder(split));
  std::vector<std::string> files;
  ClipExamples ex;
  std::string line;
  for (int64_t n = 1; std::getline(in, line); ++n) {
    if (line.empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      if (j.at("split").get<std::string>() != wanted) continue;
      files.push_back(j.at("file").get<std::string>());
      ex.attributes.push_back(demo::attributes_from_json(j.at("attributes")));
    } catch (const std::exception& e) {
      throw demo::DatasetError(list, "line " + std::to_string(n) + ": " + e.what());
    }
  }
  if (files.empty()) throw demo::DatasetError(list, "lists no " + wanted + " images");
  std::vector<torch::Tensor> images(files.size());
  at::parallel_for(0, static_cast<int64_t>(files.size()), 64, [&](int64_t lo, int64_t hi) {
    for (int64_t i = lo; i < hi; ++i) {
      const cv::Mat bgr = cv::imread((data_dir / files[static_cast<size_t>(i)]).string(),
                                     cv::IMREAD_COLOR);
      if (!bgr.empty()) images[static_cast<size_t>(i)] = rgb_tensor(bgr);
    }
  });
  for (size_t i = 0; i < files.size(); ++i) {
    if (!images[i].defined() || images[i].sizes() != images[0].sizes())
      throw demo::DatasetError(data_dir / files[i], "missing, unreadable or of another size");
  }
  ex.images = torch::stack(images);
  return ex;
}

torch::Tensor clip_image_input(const torch::Tensor& rgb8_nhwc) {
  // [N, H, W, 3] uint8 -> [N, 3, H, W] in [-1, 1] (ToTensor + Normalize(0.5, 0.5))
  auto x = rgb8_nhwc.permute({0, 3, 1, 2}).to(torch::kFloat32) / 127.5 - 1.0;
  return nets::deltaedit_resample(x, nets::deltaedit_resample_kernel(x.size(-1)));  // [N,3,224,224]
}

nets::ClipConfig demo_clip_config(int64_t vocab_size) {
  nets::ClipConfig c;
  c.embed_dim = 128;
  c.image_resolution = 224;
  c.vision_patch_size = 32;
  c.vision_width = 128;
  c.vision_layers = 2;
  c.vision_heads = c.vision_width / 64;
  c.context_length = 77;
  c.vocab_size = vocab_size;
  c.transformer_width = 128;
  c.transformer_heads = c.transformer_width / 64;
  c.transformer_layers = 2;
  return c;
}

nets::ClipModel init_clip_model(const nets::ClipConfig& config, uint64_t seed) {
  torch::manual_seed(demo::mix_seed(seed, kStreamInit, 0) >> 1);
  nets::ClipModel m(config);
  torch::NoGradGuard no_grad;
  normal_(m->token_embedding->weight, 0.02);
  normal_(m->positional_embedding, 0.01);
  init_transformer(m->transformer, config.transformer_width, config.transformer_layers);
  init_transformer(m->visual->transformer, config.vision_width, config.vision_layers);
  normal_(m->text_projection, 1.0 / std::sqrt(static_cast<double>(config.transformer_width)));
  m->logit_scale.fill_(std::log(1.0 / 0.07));
  return m;
}

torch::Tensor clip_contrastive_loss(const torch::Tensor& image_features,
                                    const torch::Tensor& text_features,
                                    const torch::Tensor& logit_scale) {
  const auto img = image_features / image_features.norm(2, -1, true);  // [B, E]
  const auto txt = text_features / text_features.norm(2, -1, true);    // [B, E]
  const auto logits = logit_scale.exp() * torch::matmul(img, txt.t());  // [B, B]
  const auto target = torch::arange(logits.size(0), torch::kInt64);
  return 0.5 * (torch::nn::functional::cross_entropy(logits, target) +
                torch::nn::functional::cross_entropy(logits.t(), target));
}

torch::Tensor delta_alignment_loss(const torch::Tensor& image_a, const torch::Tensor& image_b,
                                   const torch::Tensor& text_a, const torch::Tensor& text_b) {
  const auto di = pair_deltas(image_a, image_b);  // [P, E]
  const auto dt = pair_deltas(text_a, text_b);    // [P, E]
  return 1.0 - (di * dt).sum(-1).mean();
}

torch::Tensor delta_separation_loss(const torch::Tensor& image_a, const torch::Tensor& image_b,
                                    const torch::Tensor& text_a, const torch::Tensor& text_b,
                                    const torch::Tensor& families) {
  const auto other = (families.unsqueeze(0) != families.unsqueeze(1)).to(image_a.dtype());  // [P, P]
  const auto count = other.sum();
  if (count.item<double>() == 0) return torch::zeros({}, image_a.options());
  const auto squared_cosines = [&](const torch::Tensor& a, const torch::Tensor& b) {
    const auto d = pair_deltas(a, b);  // [P, E]
    return (d.matmul(d.t()).square() * other).sum() / count;
  };
  return squared_cosines(image_a, image_b) + squared_cosines(text_a, text_b);
}

io::StateDict clip_state_dict(nets::ClipModelImpl& model) {
  io::StateDict sd;
  for (const auto& p : model.named_parameters())
    sd.add(p.key(), p.value().detach().to(torch::kCPU, torch::kFloat32).contiguous().clone());
  return sd;
}

struct ClipTrainer::Impl {
  nets::ClipModel model{nullptr};
  std::shared_ptr<const text::ClipTokenizer> tokenizer;
  ClipExamples train;
  ClipTrainOptions options;
  std::unique_ptr<torch::optim::Adam> adam;
  int64_t step = 0;
  bool resumed = false;
  int64_t epoch = -1;  // of `order`
  torch::Tensor order;

  // Index of the k-th sample of the run: epochs are seeded permutations of the examples.
  int64_t sample_index(int64_t k) {
    const int64_t n = train.count();
    if (k / n != epoch) {
      epoch = k / n;
      auto gen = at::detail::createCPUGenerator(demo::mix_seed(options.seed, kStreamEpoch,
                                                               static_cast<uint64_t>(epoch)));
      order = torch::randperm(n, gen, torch::kInt64);
    }
    return order[k % n].item<int64_t>();
  }

  void save_checkpoint() {
    io::StateDict st;
    st.add("step", torch::tensor(step, torch::kInt64));
    const io::StateDict weights = clip_state_dict(*model);
    for (const auto& [name, t] : weights.entries()) st.add("clip." + name, t);
    for (const auto& p : model->named_parameters()) {
      const auto it = adam->state().find(c10::guts::to_string(p.value().unsafeGetTensorImpl()));
      if (it == adam->state().end()) continue;
      const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
      st.add("adam." + p.key() + ".exp_avg", s.exp_avg().contiguous().clone());
      st.add("adam." + p.key() + ".exp_avg_sq", s.exp_avg_sq().contiguous().clone());
    }
    io::save_state_dict(options.checkpoint, st);
  }

  void load_init_weights() {
    io::StateDict st = io::load_state_dict(options.init);
    st.set_source(options.init);
    torch::NoGradGuard no_grad;
    for (auto& p : model->named_parameters()) {
      if (!st.contains(p.key()))
        throw io::ModelFileError(options.init, "has no '" + p.key() + "': not a demo CLIP");
      const auto& saved = st.at(p.key());
      if (saved.sizes() != p.value().sizes())
        throw io::ModelFileError(options.init, "'" + p.key() + "' has another shape than this run's model");
      p.value().copy_(saved);
    }
  }

  void load_checkpoint() {
    io::StateDict st = io::load_state_dict(options.checkpoint);
    st.set_source(options.checkpoint);
    torch::NoGradGuard no_grad;
    step = st.at("step").item<int64_t>();
    for (auto& p : model->named_parameters()) {
      const auto& saved = st.at("clip." + p.key());
      if (saved.sizes() != p.value().sizes())
        throw io::ModelFileError(options.checkpoint,
                                 "'" + p.key() + "' has another shape than this run's model: "
                                 "delete the checkpoint or use the same settings");
      p.value().copy_(saved);
      if (!st.contains("adam." + p.key() + ".exp_avg")) continue;
      auto state = std::make_unique<torch::optim::AdamParamState>();
      state->step(step);
      state->exp_avg(st.at("adam." + p.key() + ".exp_avg").clone());
      state->exp_avg_sq(st.at("adam." + p.key() + ".exp_avg_sq").clone());
      adam->state()[c10::guts::to_string(p.value().unsafeGetTensorImpl())] = std::move(state);
    }
  }
};

ClipTrainer::ClipTrainer(const nets::ClipConfig& config,
                         std::shared_ptr<const text::ClipTokenizer> tokenizer, ClipExamples train,
                         ClipTrainOptions options)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  if (!tokenizer || tokenizer->vocab_size() != config.vocab_size)
    throw std::invalid_argument("the CLIP config's vocabulary size must be the tokenizer's");
  if (train.count() < options.batch || options.batch < 2)
    throw std::invalid_argument("CLIP training needs a batch of at least 2 and as many examples");
  m.model = init_clip_model(config, options.seed);
  m.model->train();
  m.tokenizer = std::move(tokenizer);
  m.train = std::move(train);
  m.options = std::move(options);
  m.adam = std::make_unique<torch::optim::Adam>(
      m.model->parameters(), torch::optim::AdamOptions(m.options.learning_rate)
                                 .betas({0.9, 0.98})
                                 .eps(1e-6));
  if (!m.options.checkpoint.empty() && fs::exists(m.options.checkpoint)) {
    m.load_checkpoint();
    m.resumed = true;
  } else if (!m.options.init.empty()) {
    m.load_init_weights();
  }
}

ClipTrainer::~ClipTrainer() = default;

int64_t ClipTrainer::steps_done() const { return impl_->step; }
bool ClipTrainer::resumed() const { return impl_->resumed; }
void ClipTrainer::save_checkpoint() const { impl_->save_checkpoint(); }
nets::ClipModel ClipTrainer::model() const { return impl_->model; }

double ClipTrainer::step() {
  auto& m = *impl_;
  const int64_t b = m.options.batch;
  std::mt19937_64 rng(demo::mix_seed(m.options.seed, kStreamCaptions, static_cast<uint64_t>(m.step)));
  const int64_t pairs = static_cast<int64_t>(std::floor(static_cast<double>(b) * m.options.pair_fraction / 2));
  const int64_t singles = b - 2 * pairs;
  std::vector<int64_t> index(static_cast<size_t>(singles + pairs));
  std::vector<std::string> captions;
  for (int64_t j = 0; j < singles; ++j) {
    index[static_cast<size_t>(j)] = m.sample_index(m.step * b + j);
    captions.push_back(training_caption(m.train.attributes[static_cast<size_t>(index[j])], rng));
  }
  // Counterpart pairs: the drawn portrait (with the singles) and its re-rendering (after them).
  const int side = static_cast<int>(m.train.images.size(1));
  std::vector<demo::FaceAttributes> others;
  std::vector<std::string> other_captions;
  std::vector<int64_t> families;
  for (int64_t j = singles; j < singles + pairs; ++j) {
    index[static_cast<size_t>(j)] = m.sample_index(m.step * b + j);
    const auto& a = m.train.attributes[static_cast<size_t>(index[j])];
    const auto family = static_cast<AttributeFamily>(demo::pick(rng, kAttributeFamilies));
    families.push_back(static_cast<int64_t>(family));
    others.push_back(counterpart(a, family, rng));
    auto [first, second] = counterpart_captions(a, others.back(), family, rng, m.options.neutral_source);
    captions.push_back(std::move(first));
    other_captions.push_back(std::move(second));
  }
  captions.insert(captions.end(), other_captions.begin(), other_captions.end());
  auto rgb = m.train.images.index_select(0, torch::tensor(index));  // [singles + pairs, H, W, 3]
  if (pairs > 0) {
    auto rendered = torch::empty({pairs, side, side, 3}, torch::kUInt8);
    at::parallel_for(0, pairs, 1, [&](int64_t begin, int64_t end) {
      for (int64_t j = begin; j < end; ++j)
        rendered[j].copy_(rgb_tensor(demo::render_face(others[static_cast<size_t>(j)], side)));
    });
    rgb = torch::cat({rgb, rendered}, 0);  // [B, H, W, 3]
  }
  const auto images = clip_image_input(rgb);
  const auto ids = caption_ids(*m.tokenizer, captions, m.model->context_length());

  for (auto& group : m.adam->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(learning_rate_at(m.options, m.step));
  m.adam->zero_grad();
  const auto image_features = m.model->encode_image(images);                 // [B, E]
  const auto text_features = m.model->encode_text(ids, /*cut_after_eot=*/false);  // [B, E]
  auto loss = clip_contrastive_loss(image_features, text_features, m.model->logit_scale);
  if (pairs > 0 && (m.options.delta_weight > 0 || m.options.delta_separation_weight > 0)) {
    // The pairs' features: drawn portraits after the singles, their counterparts at the end.
    const auto first = torch::arange(singles, singles + pairs), second = first + pairs;
    const auto image_a = image_features.index_select(0, first), image_b = image_features.index_select(0, second);
    const auto text_a = text_features.index_select(0, first), text_b = text_features.index_select(0, second);
    if (m.options.delta_weight > 0)
      loss = loss + m.options.delta_weight * delta_alignment_loss(image_a, image_b, text_a, text_b);
    if (m.options.delta_separation_weight > 0)
      loss = loss + m.options.delta_separation_weight *
                        delta_separation_loss(image_a, image_b, text_a, text_b, torch::tensor(families));
  }
  loss.backward();
  m.adam->step();
  {
    torch::NoGradGuard no_grad;
    m.model->logit_scale.clamp_(0.0, kMaxLogitScale);
  }
  ++m.step;
  return loss.item<double>();
}

void ClipTrainer::train(const ClipTrainCallback& progress) {
  auto& m = *impl_;
  const auto t0 = std::chrono::steady_clock::now();
  const int64_t first = m.step;
  while (m.step < m.options.steps) {
    const double loss = step();
    if (!m.options.checkpoint.empty() &&
        (m.step % m.options.checkpoint_every == 0 || m.step == m.options.steps))
      m.save_checkpoint();
    if (progress) {
      const double s =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      progress({m.step, m.options.steps, loss, s > 0 ? (m.step - first) / s : 0.0,
                std::exp(m.model->logit_scale.item<double>())});
    }
  }
  m.model->eval();
}

ClipEvaluation evaluate_clip(nets::ClipModel model,
                             std::shared_ptr<const text::ClipTokenizer> tokenizer,
                             const ClipExamples& held_out, int64_t group) {
  model->eval();
  torch::NoGradGuard no_grad;
  ClipEvaluation ev;
  ev.retrieval_group = group;
  // Normalized image embeddings of every held-out portrait, in chunks.
  std::vector<torch::Tensor> chunks;
  for (int64_t lo = 0; lo < held_out.count(); lo += 256) {
    const auto x = held_out.images.slice(0, lo, std::min(lo + 256, held_out.count()));
    chunks.push_back(model->encode_image(clip_image_input(x)).to(torch::kFloat32));
  }
  auto img = torch::cat(chunks);                    // [N, E]
  img = img / img.norm(2, -1, true);

  int64_t hits = 0, tried = 0;
  for (int64_t lo = 0; lo + group <= held_out.count(); lo += group) {
    std::vector<std::string> captions;
    for (int64_t i = lo; i < lo + group; ++i)
      captions.push_back(demo::caption_for(held_out.attributes[static_cast<size_t>(i)]));
    auto txt = model->encode_text(tokenizer->tokenize(captions, model->context_length(), true));
    txt = txt / txt.norm(2, -1, true);                                       // [G, E]
    const auto best = torch::matmul(img.slice(0, lo, lo + group), txt.t()).argmax(1);  // [G]
    hits += (best == torch::arange(group)).sum().item<int64_t>();
    tried += group;
  }
  ev.retrieval_top1 = tried ? static_cast<double>(hits) / static_cast<double>(tried) : 0.0;

  text::TextDirectionEncoder directions(model, tokenizer);
  using demo::FaceAttributes;
  const std::vector<std::pair<std::string, std::function<bool(const FaceAttributes&)>>> prompts = {
      {"face with a smile", [](const FaceAttributes& a) { return a.smile >= 0.3f; }},
      {"face with glasses", [](const FaceAttributes& a) { return a.eyeglasses; }},
      {"face with blond hair",
       [](const FaceAttributes& a) { return a.hair_colour == demo::HairColour::kBlond; }},
      {"face with a beard", [](const FaceAttributes& a) { return a.beard; }},
      {"face with long hair",
       [](const FaceAttributes& a) {
         return demo::hair_length_class(a.hair_length) == demo::HairLength::kLong;
       }},
      {"face with dark skin",
       [](const FaceAttributes& a) { return demo::skin_level(a.skin_tone) == demo::SkinLevel::kDark; }},
      {"face with big eyes",
       [](const FaceAttributes& a) { return demo::eye_level(a.eye_size) == demo::EyeLevel::kBig; }},
  };
  for (const auto& [prompt, has] : prompts) {
    std::vector<int64_t> with, without;
    for (int64_t i = 0; i < held_out.count(); ++i)
      (has(held_out.attributes[static_cast<size_t>(i)]) ? with : without).push_back(i);
    double cosine = 0.0;
    if (!with.empty() && !without.empty()) {
      const auto diff = img.index_select(0, torch::tensor(with)).mean(0) -
                        img.index_select(0, torch::tensor(without)).mean(0);  // [E]
      const auto dir = directions.direction(prompt, "face").normalized;     // [E]
      cosine = torch::dot(diff / diff.norm(), dir).item<double>();
    }
    ev.delta_alignment.emplace_back(prompt, cosine);
  }
  return ev;
}

}  // namespace deltaedit::demo_train
