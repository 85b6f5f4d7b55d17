#include "core/demo_train/e4e_trainer.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/demo_train/attribute_regions.h"
#include "core/demo_train/latent_portraits.h"
#include "core/io/checkpoint_reader.h"
#include "core/io/checkpoint_writer.h"
#include "core/io/model_file_error.h"
#include "core/nets/common/device.h"
#include "core/nets/common/weights.h"
#include "core/nets/e4e/e4e_input.h"
#include "core/train/seed_streams.h"

namespace deltaedit::demo_train {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// Purposes of this trainer's random draws (train::stream_generator indices; apart from the
// mapper trainer's).
constexpr auto kInitStream = static_cast<train::Stream>(0xE4E0);
constexpr auto kBatchStream = static_cast<train::Stream>(0xE4E1);
constexpr auto kReadoutStream = static_cast<train::Stream>(0xE4E2);

// The least-squares read-out [D + 1, 8] (weights, then bias) of a latent's attribute draws, as
// 2u - 1, from its W: what the generator's mapping keeps of each draw.
torch::Tensor fit_attribute_readout(nets::GeneratorImpl& g) {
  torch::NoGradGuard no_grad;
  auto rng = train::stream_generator(0, kReadoutStream, 0);
  const torch::Tensor z = torch::randn({8192, g.style_dim()}, rng);  // [N, D]
  const auto opts = g.parameters().front().options();
  const torch::Tensor w = g.mapping(z.to(opts)).to(torch::kCPU, torch::kFloat32);
  const torch::Tensor a = torch::cat({w, torch::ones({w.size(0), 1})}, 1);  // [N, D + 1]
  return std::get<0>(torch::linalg_lstsq(a, 2 * latent_attribute_draws(z) - 1));
}

bool is_power_of_two(int64_t v) { return v > 0 && (v & (v - 1)) == 0; }

int64_t log2_of(int64_t v) {
  int64_t n = 0;
  while ((int64_t{1} << n) < v) ++n;
  return n;
}

// PyTorch's state_dict order: a module's own parameters, its buffers, then its children.
void collect_state(const torch::nn::Module& m, const std::string& prefix, io::StateDict& out) {
  for (const auto& p : m.named_parameters(false)) out.add(prefix + p.key(), p.value());
  for (const auto& b : m.named_buffers(false)) out.add(prefix + b.key(), b.value());
  for (const auto& c : m.named_children()) collect_state(*c.value(), prefix + c.key() + ".", out);
}

std::string adam_key(const torch::Tensor& p) {
  return c10::guts::to_string(p.unsafeGetTensorImpl());
}

// The settings a resumed run must share with the saved one (steps may be raised).
torch::Tensor options_signature(const E4eTrainOptions& o) {
  return torch::tensor({static_cast<double>(o.batch), o.learning_rate, o.w_weight, o.pixel_weight,
                        o.delta_weight, o.psi_min, o.psi_max, static_cast<double>(o.real_every),
                        o.attribute_weight, o.readout_weight},
                       torch::kFloat64);
}

}  // namespace

nets::E4eConfig small_e4e_config(int64_t input_size, int64_t style_count, int64_t style_dim,
                                 const std::vector<int64_t>& depths) {
  if (!is_power_of_two(input_size) || input_size < 32)
    throw std::invalid_argument("e4e input size must be a power of two >= 32, got " +
                                std::to_string(input_size));
  if (style_count < 1 || style_dim < 1) throw std::invalid_argument("e4e needs styles");
  if (depths.size() != 4) throw std::invalid_argument("e4e needs 4 stage widths");
  for (size_t i = 0; i < 4; ++i)
    if (depths[i] < 1 || (i > 0 && depths[i] == depths[i - 1]))
      throw std::invalid_argument("e4e stage widths must be positive and change at every stage");
  nets::E4eConfig cfg;
  cfg.in_channels = 3;
  cfg.stem_width = depths[0];
  int64_t prev = cfg.stem_width;
  for (int64_t d : depths) {
    nets::E4eConfig::Unit u;
    u.in_channels = prev;
    u.depth = d;
    u.stride = 2;
    u.conv_shortcut = prev != d;
    u.se_channels = std::max<int64_t>(1, d / 16);  // e4e's SE reduction 16
    cfg.stage_last_unit.push_back(static_cast<int64_t>(cfg.units.size()));
    cfg.units.push_back(u);
    prev = d;
  }
  cfg.fpn_width = depths[3];
  // e4e's split: 3 coarse styles on c3 (input / 16), 4 middle on p2 (/ 8), the rest on p1 (/ 4).
  cfg.coarse_ind = std::min<int64_t>(3, style_count);
  cfg.middle_ind = std::min<int64_t>(7, style_count);
  const int64_t c3_log = log2_of(input_size / 16);
  for (int64_t i = 0; i < style_count; ++i) {
    nets::E4eConfig::Style s;
    s.in_channels = depths[3];
    s.width = style_dim;
    s.num_convs = c3_log + (i >= cfg.coarse_ind ? 1 : 0) + (i >= cfg.middle_ind ? 1 : 0);
    cfg.styles.push_back(s);
  }
  return cfg;
}

struct E4eTrainer::Impl {
  nets::LoadedGenerator& gen;
  nets::E4eConfig config;
  E4eTrainOptions options;
  torch::Tensor real;  // [N, 3, S, S] uint8 or undefined
  torch::Tensor real_draws;  // [N, 8] float32 (as 2u - 1) or undefined
  torch::Tensor readout;     // [D + 1, 8] with a read-out weight
  fs::path state_file;
  nets::Encoder4Editing encoder{nullptr};
  std::unique_ptr<torch::optim::Adam> adam;
  torch::Tensor latent_avg;  // [D] float32 CPU
  torch::Tensor pixel_weights;  // [1, 1, S, S], made at the first step
  int64_t step = 0;
  bool resumed = false;

  Impl(nets::LoadedGenerator& g, const nets::E4eConfig& c, const E4eTrainOptions& o)
      : gen(g), config(c), options(o) {}

  io::StateDict state_dict() const {
    io::StateDict sd;
    collect_state(*encoder, "encoder.", sd);
    io::StateDict out;
    for (const auto& [name, t] : sd.entries()) out.add(name, t.detach().to(torch::kCPU).clone());
    return out;
  }

  double learning_rate_at(int64_t s) const {
    // Constant, then linear decay to a tenth over the last 30% of the run.
    const double start = 0.7 * static_cast<double>(options.steps);
    if (s < start) return options.learning_rate;
    const double f = (s - start) / std::max(1.0, options.steps - start);
    return options.learning_rate * (1.0 - 0.9 * std::min(1.0, f));
  }

  void load_state() {
    io::StateDict st = io::load_state_dict(state_file);
    st.set_source(state_file);
    const auto fail = [&](const std::string& why) {
      return std::runtime_error(state_file.string() + ": " + why +
                                " (delete it to start over, or use the run's options)");
    };
    if (!torch::equal(st.at("options"), options_signature(options)) ||
        st.at("seed").item<int64_t>() != static_cast<int64_t>(options.seed))
      throw fail("saved by a run with other options");
    if (!st.at("latent_avg").sizes().equals(latent_avg.sizes()) ||
        !torch::equal(st.at("latent_avg"), latent_avg))
      throw fail("saved by a run with another generator");
    torch::NoGradGuard no_grad;
    nets::load_weights(*encoder, st.with_prefix("encoder."));
    step = st.at("step").item<int64_t>();
    for (const auto& p : encoder->named_parameters()) {
      const std::string k = "adam." + p.key();
      if (!st.contains(k + ".exp_avg")) continue;  // saved before the first step
      auto state = std::make_unique<torch::optim::AdamParamState>();
      state->step(step);
      state->exp_avg(st.at(k + ".exp_avg").clone());
      state->exp_avg_sq(st.at(k + ".exp_avg_sq").clone());
      if (!state->exp_avg().sizes().equals(p.value().sizes()) ||
          !state->exp_avg_sq().sizes().equals(p.value().sizes()))
        throw fail("Adam state of '" + p.key() + "' has the wrong shape");
      adam->state()[adam_key(p.value())] = std::move(state);
    }
    resumed = true;
  }
};

E4eTrainer::E4eTrainer(nets::LoadedGenerator& gen, const nets::E4eConfig& config,
                       const E4eTrainOptions& options, torch::Tensor real, fs::path state_file,
                       torch::Tensor real_draws)
    : impl_(std::make_unique<Impl>(gen, config, options)) {
  auto& m = *impl_;
  auto& g = *gen.net;
  if (options.steps < 0 || options.batch < 1 || !(options.learning_rate > 0) ||
      !(options.psi_min > 0) || options.psi_max < options.psi_min || options.real_every < 0 ||
      options.save_every < 0 || options.readout_weight < 0)
    throw std::invalid_argument("e4e training: bad options");
  if (config.style_count() != g.n_latent() || config.style_dim() != g.style_dim())
    throw std::invalid_argument("e4e training: the encoder's " +
                                std::to_string(config.style_count()) + " styles of " +
                                std::to_string(config.style_dim()) + " do not fit the generator's " +
                                std::to_string(g.n_latent()) + " of " +
                                std::to_string(g.style_dim()));
  if (config.input_size() != g.size())
    throw std::invalid_argument("e4e training: encoder input " +
                                std::to_string(config.input_size()) + " px but the generator makes " +
                                std::to_string(g.size()) + " px images");
  for (const auto& p : g.parameters())
    if (p.requires_grad())
      throw std::invalid_argument("e4e training: the generator must be frozen (no grad)");
  if (real.defined() && real.numel() > 0) {
    if (real.dim() != 4 || real.scalar_type() != torch::kUInt8 || real.size(1) != 3 ||
        real.size(2) != g.size() || real.size(3) != g.size())
      throw std::invalid_argument("e4e training: real images must be [N, 3, size, size] uint8");
    m.real = real.contiguous();
    if (options.readout_weight > 0) {
      if (!real_draws.defined() || !real_draws.sizes().equals({real.size(0), kLatentAttributeDraws}))
        throw std::invalid_argument("e4e training: the read-out loss needs the draws of every real image");
      m.real_draws = (2 * real_draws.to(torch::kFloat32) - 1).contiguous();
    }
  }
  if (options.readout_weight > 0) m.readout = fit_attribute_readout(g);
  m.latent_avg = gen.latent_avg.to(torch::kCPU, torch::kFloat32).contiguous();

  // Default (PyTorch) initialisation from a seeded global generator; the style blocks' last
  // layers start small, so training starts near W+ = latent_avg (the mean image).
  torch::manual_seed(train::stream_seed(options.seed, kInitStream, 0));
  m.encoder = nets::Encoder4Editing(config);
  {
    torch::NoGradGuard no_grad;
    for (auto& p : m.encoder->named_parameters())
      if (p.key().rfind("styles.", 0) == 0 && p.key().find(".linear.weight") != std::string::npos)
        p.value().mul_(0.1);
  }
  const bool resuming = !state_file.empty() && fs::exists(state_file);
  if (!options.init.empty() && !resuming) {
    const nets::LoadedE4e start = nets::load_e4e(options.init, nets::choose_device("cpu"));
    if (!start.latent_avg.sizes().equals(m.latent_avg.sizes()) ||
        !torch::allclose(start.latent_avg.to(torch::kCPU, torch::kFloat32), m.latent_avg))
      throw std::invalid_argument("e4e training: " + options.init.string() +
                                  " was trained for another generator (its latent_avg differs)");
    torch::NoGradGuard no_grad;
    nets::load_weights(*m.encoder, nets::module_state_dict(*start.net));
  }
  m.encoder->train();
  m.adam = std::make_unique<torch::optim::Adam>(m.encoder->parameters(),
                                                torch::optim::AdamOptions(options.learning_rate));
  m.state_file = std::move(state_file);
  if (!m.state_file.empty() && fs::exists(m.state_file)) m.load_state();
}

E4eTrainer::~E4eTrainer() = default;

int64_t E4eTrainer::step() const { return impl_->step; }
bool E4eTrainer::resumed() const { return impl_->resumed; }
nets::Encoder4Editing E4eTrainer::encoder() const { return impl_->encoder; }
torch::Tensor E4eTrainer::latent_avg() const { return impl_->latent_avg; }

E4eLosses E4eTrainer::train_step() {
  auto& m = *impl_;
  auto& g = *m.gen.net;
  const auto& o = m.options;
  auto rng = train::stream_generator(o.seed, kBatchStream, static_cast<uint64_t>(m.step));
  const auto gen_opts = g.parameters().front().options();  // device and dtype
  E4eLosses out;
  out.real = m.real.defined() && o.real_every > 0 && m.step % o.real_every == o.real_every - 1;

  torch::Tensor images, target;  // [B, 3, S, S] in [-1, 1]; [B, L, D] or undefined
  torch::Tensor idx;             // the real images of the batch
  if (out.real) {
    idx = torch::randint(m.real.size(0), {o.batch}, rng, torch::kInt64);
    images = images_to_unit_range(m.real.index_select(0, idx)).to(gen_opts);
  } else {
    const auto z = torch::randn({o.batch, g.style_dim()}, rng);               // [B, D]
    const auto psi = torch::rand({o.batch, 1}, rng) * (o.psi_max - o.psi_min) + o.psi_min;
    torch::NoGradGuard no_grad;
    const auto avg = m.latent_avg.to(gen_opts);
    auto w = g.mapping(z.to(gen_opts));                                       // [B, D]
    w = avg + psi.to(gen_opts) * (w - avg);
    target = g.broadcast_w(w);                                                // [B, L, D]
    images = g.forward_w(target);                                             // [B, 3, S, S]
  }

  for (auto& group : m.adam->param_groups())
    static_cast<torch::optim::AdamOptions&>(group.options()).lr(m.learning_rate_at(m.step));
  m.encoder->train();
  const auto codes = m.encoder->forward(images);       // [B, L, D]
  const auto wplus = codes + m.latent_avg.to(gen_opts);
  const auto rendered = g.forward_w(wplus);            // [B, 3, S, S], grad flows to W+
  // [1, 1, S, S] per-pixel weights of mean 1 (all ones without attribute_weight)
  if (!m.pixel_weights.defined())
    m.pixel_weights = attribute_loss_weights(static_cast<int>(images.size(-1)), RegionPose::kDataset,
                                             o.attribute_weight)
                          .to(gen_opts);
  auto pixel = ((rendered - images).square() * m.pixel_weights).mean();
  // e4e's delta regulariser: each slot's offset from slot 0.
  auto delta = codes.size(1) > 1
                   ? (codes.narrow(1, 1, codes.size(1) - 1) - codes.narrow(1, 0, 1))
                         .norm(2, -1)
                         .mean()
                   : torch::zeros({}, gen_opts);
  auto total = o.pixel_weight * pixel + o.delta_weight * delta;
  if (target.defined()) {
    auto wl = torch::mse_loss(wplus, target);
    out.w = wl.item<double>();
    total = total + o.w_weight * wl;
  }
  if (m.readout.defined()) {
    // [B, L, D] -> [B, L, 8]: every slot must carry the draws (each feeds its own layers).
    const auto r = m.readout.to(gen_opts);
    const auto read = [&](const torch::Tensor& w) { return w.matmul(r.narrow(0, 0, w.size(-1))) + r[-1]; };
    const auto goal = target.defined()
                          ? read(target)
                          : m.real_draws.index_select(0, idx).to(gen_opts).unsqueeze(1).expand({-1, wplus.size(1), -1});
    auto rl = torch::mse_loss(read(wplus), goal);
    out.readout = rl.item<double>();
    total = total + o.readout_weight * rl;
  }
  m.adam->zero_grad();
  total.backward();
  m.adam->step();
  ++m.step;
  out.pixel = pixel.item<double>();
  out.delta = delta.item<double>();
  out.total = total.item<double>();
  return out;
}

void E4eTrainer::train(const E4eProgress& progress) {
  auto& m = *impl_;
  // The reference path renders the training batches faster than the fast path (made for single
  // large images) and is the one gradients need anyway.
  const auto path = m.gen.net->render_path();
  m.gen.net->set_render_path(nets::RenderPath::kReference);
  const auto t0 = Clock::now();
  int64_t images = 0;
  while (m.step < m.options.steps) {
    E4eTrainEvent ev;
    ev.losses = train_step();
    images += m.options.batch;
    ev.step = m.step;
    ev.steps = m.options.steps;
    if (m.options.save_every > 0 && m.step % m.options.save_every == 0 &&
        m.step < m.options.steps && !m.state_file.empty()) {
      save_state();
      ev.saved = true;
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    ev.images_per_second = s > 0 ? images / s : 0;
    if (progress) progress(ev);
  }
  m.gen.net->set_render_path(path);
}

io::StateDict E4eTrainer::checkpoint_state_dict() const { return impl_->state_dict(); }

void E4eTrainer::save_e4e(const fs::path& file, bool float16) {
  auto& m = *impl_;
  if (float16) {
    torch::NoGradGuard no_grad;
    io::StateDict sd;
    collect_state(*m.encoder, "", sd);
    for (const auto& [name, t] : sd.entries())
      if (t.is_floating_point()) t.copy_(t.to(torch::kHalf));
  }
  io::StateDict sd = m.state_dict();
  if (float16) {
    io::StateDict half;
    for (const auto& [name, t] : sd.entries())
      half.add(name, t.is_floating_point() ? t.to(torch::kHalf) : t);
    sd = half;
  }
  io::save_checkpoint(file, io::CheckpointEntries{{"state_dict", sd},
                                                  {"latent_avg", m.latent_avg.clone()}});
}

void E4eTrainer::save_state() {
  auto& m = *impl_;
  if (m.state_file.empty()) return;
  io::StateDict st;
  st.add("step", torch::tensor(m.step, torch::kInt64));
  st.add("seed", torch::tensor(static_cast<int64_t>(m.options.seed), torch::kInt64));
  st.add("options", options_signature(m.options));
  st.add("latent_avg", m.latent_avg.clone());
  const io::StateDict weights = m.state_dict();
  for (const auto& [name, t] : weights.entries()) st.add(name, t);
  for (const auto& p : m.encoder->named_parameters()) {
    const auto it = m.adam->state().find(adam_key(p.value()));
    if (it == m.adam->state().end()) continue;
    const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
    st.add("adam." + p.key() + ".exp_avg", s.exp_avg().to(torch::kCPU).contiguous());
    st.add("adam." + p.key() + ".exp_avg_sq", s.exp_avg_sq().to(torch::kCPU).contiguous());
  }
  io::save_state_dict(m.state_file, st);
}

torch::Tensor encode_wplus(nets::Encoder4EditingImpl& encoder, const torch::Tensor& latent_avg,
                           const torch::Tensor& images) {
  torch::NoGradGuard no_grad;
  const bool was_training = encoder.is_training();
  encoder.eval();
  const auto opts = encoder.latlayer1->weight.options();
  auto codes = encoder.forward(images.to(opts));  // [B, L, D]
  encoder.train(was_training);
  return codes + latent_avg.to(opts);
}

double reconstruction_psnr(nets::GeneratorImpl& gen,
                           const std::function<torch::Tensor(const torch::Tensor&)>& invert,
                           const torch::Tensor& images, int64_t batch) {
  torch::NoGradGuard no_grad;
  double sum = 0;
  const int64_t n = images.size(0);
  for (int64_t at = 0; at < n; at += batch) {
    const auto x = images.narrow(0, at, std::min(batch, n - at));      // [b, 3, S, S]
    const auto y = gen.forward_w(invert(x)).to(torch::kCPU, torch::kFloat32).clamp(-1, 1);
    const auto mse = ((y - x.to(torch::kFloat32)) / 2).pow(2).mean({1, 2, 3});  // on [0, 1]
    sum += (-10.0 * torch::log10(mse.clamp_min(1e-12))).sum().item<double>();
  }
  return n > 0 ? sum / static_cast<double>(n) : 0.0;
}

torch::Tensor images_to_unit_range(const torch::Tensor& u8) {
  return u8.to(torch::kFloat32).div(255.0).sub(0.5).div(0.5);
}

torch::Tensor load_domain_images(const fs::path& dir, int64_t count, int64_t size) {
  std::vector<fs::path> files;
  if (!fs::is_directory(dir)) throw std::runtime_error(dir.string() + ": not a folder");
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && e.path().extension() == ".png") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  if (count >= 0 && static_cast<int64_t>(files.size()) > count) files.resize(count);
  std::vector<torch::Tensor> out;
  out.reserve(files.size());
  for (const auto& f : files) {
    cv::Mat bgr = cv::imread(f.string(), cv::IMREAD_COLOR);
    if (bgr.empty()) throw std::runtime_error(f.string() + ": not a readable image");
    cv::Mat rgb;
    cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
    auto hwc = torch::from_blob(rgb.data, {rgb.rows, rgb.cols, 3}, torch::kUInt8).clone();
    if (rgb.rows != rgb.cols)
      throw std::runtime_error(f.string() + ": expected a square portrait");
    hwc = nets::pil_bilinear_resize(hwc, size, size);  // a no-op at the input size
    out.push_back(hwc.permute({2, 0, 1}).contiguous());
  }
  if (out.empty()) return torch::empty({0, 3, size, size}, torch::kUInt8);
  return torch::stack(out);
}

}  // namespace deltaedit::demo_train
