#include "core/train/mapper_trainer.h"

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iomanip>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>

#include "core/io/checkpoint_reader.h"
#include "core/io/checkpoint_writer.h"
#include "core/io/model_file_error.h"
#include "core/io/sha256.h"
#include "core/nets/common/weights.h"
#include "core/train/adam_state.h"
#include "core/train/code_shards.h"
#include "core/train/seed_streams.h"
#include "core/train/train_errors.h"
#include "core/train/train_files.h"

namespace deltaedit::train {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// DeltaEdit's Mapper uses EqualLinear(lr_mul=0.01): stored weights are N(0, 1) / lr_mul.
constexpr double kMapperLrMul = 0.01;
constexpr int kRunFormatVersion = 1;

double scalar(const torch::Tensor& t) { return t.detach().to(torch::kCPU).item<double>(); }

LossValues values_of(const DeltaLoss& l) {
  return {scalar(l.total), scalar(l.l2), scalar(l.cosine)};
}

// The settings that fix a run's trajectory; iterations and the schedules may change on resume.
json run_settings(const TrainOptions& o, const TrainingData& d, const nets::DeltaMapperConfig& c) {
  json settings = {{"batch_size", o.batch_size},
                   {"learning_rate", o.learning_rate},
                   {"seed", o.seed},
                   {"l2_weight", o.weights.l2},
                   {"cos_weight", o.weights.cosine},
                   {"val_fraction", o.val_fraction},
                   {"val_pairs", o.val_pairs},
                   {"init_weights", o.init_weights.empty() ? "" : fs::absolute(o.init_weights).string()},
                   {"data_fingerprint", d.fingerprint},
                   {"data_rows", d.s.size(0)},
                   {"mapper",
                    {{"style_width", c.style_width},
                     {"fine_dim", c.fine_dim},
                     {"condition_dim", c.condition_dim},
                     {"depth", c.depth}}}};
  // Only runs with pairs record them, so runs made before pairs existed still resume.
  if (d.pair_s.defined()) {
    settings["paired_rows"] = d.pair_s.size(0);
    settings["paired_fraction"] = o.paired_fraction;
  }
  if (o.delta_noise > 0) settings["delta_noise"] = o.delta_noise;  // likewise
  return settings;
}

std::string csv_number(double v) {
  std::ostringstream ss;
  ss << std::setprecision(8) << v;
  return ss.str();
}

}  // namespace

TrainingData load_training_data(const std::vector<fs::path>& code_dirs) {
  if (code_dirs.empty()) throw std::invalid_argument("no code folder given");
  TrainingData data;
  std::vector<torch::Tensor> s, c;
  std::string identity;
  int64_t embed_dim = 0;
  for (const auto& dir : code_dirs) {
    const CodeSet set = CodeSet::open(dir);
    if (data.s_widths.empty()) {
      data.s_widths = set.info().s_widths;
      embed_dim = set.info().embed_dim;
    } else if (set.info().s_widths != data.s_widths || set.info().embed_dim != embed_dim) {
      throw DataFileError(set.meta_file(), "holds codes of another generator or CLIP model than " +
                                               code_dirs.front().string());
    }
    const CodeShard all = set.read_all();
    s.push_back(all.s);
    c.push_back(all.clip);
    identity += read_text_file(set.meta_file()) + "rows " + std::to_string(all.rows()) + "\n";
  }
  data.s = torch::cat(s, 0);
  const auto clip = torch::cat(c, 0);
  const auto norms = clip.norm(2, -1);
  if (clip.size(0) > 0 && norms.min().item<double>() <= 0)
    throw DataFileError(code_dirs.front(), "holds a CLIP embedding of length zero");
  data.c_unit = unit_rows(clip);
  data.fingerprint = io::sha256_hex(identity.data(), identity.size());
  return data;
}

void add_paired_data(TrainingData& data, const fs::path& dir) {
  TrainingData paired = load_training_data({dir});
  if (paired.s_widths != data.s_widths || paired.c_unit.size(1) != data.c_unit.size(1))
    throw DataFileError(dir, "holds codes of another generator or CLIP model than the training codes");
  if (paired.s.size(0) < 2 || paired.s.size(0) % 2 != 0)
    throw DataFileError(dir, "holds " + std::to_string(paired.s.size(0)) +
                                 " codes: counterpart pairs need an even number, at least 2");
  // A second folder adds its pairs after the first's (both even, so pairs stay aligned).
  data.pair_s = data.pair_s.defined() ? torch::cat({data.pair_s, paired.s}) : paired.s;
  data.pair_c_unit = data.pair_c_unit.defined() ? torch::cat({data.pair_c_unit, paired.c_unit}) : paired.c_unit;
  const std::string identity = data.fingerprint + " paired " + paired.fingerprint;
  data.fingerprint = io::sha256_hex(identity.data(), identity.size());
}

nets::DeltaMapperConfig mapper_config_for(const std::vector<int64_t>& s_widths, int64_t embed_dim,
                                          int64_t depth) {
  nets::DeltaMapperConfig cfg;
  const size_t split = static_cast<size_t>(cfg.coarse_layers + cfg.medium_layers);
  if (s_widths.size() <= split)
    throw std::invalid_argument("the DeltaMapper needs more than " + std::to_string(split) +
                                " StyleSpace layers, the generator has " +
                                std::to_string(s_widths.size()));
  for (size_t i = 1; i < split; ++i)
    if (s_widths[i] != s_widths[0])
      throw std::invalid_argument("the DeltaMapper needs the first " + std::to_string(split) +
                                  " StyleSpace layers to have one width; layer " +
                                  std::to_string(i) + " has " + std::to_string(s_widths[i]) +
                                  ", layer 0 has " + std::to_string(s_widths[0]));
  if (embed_dim <= 0 || depth <= 0) throw std::invalid_argument("bad CLIP width or mapper depth");
  cfg.style_width = s_widths[0];
  cfg.fine_dim = std::accumulate(s_widths.begin() + split, s_widths.end(), int64_t{0});
  cfg.condition_dim = 2 * embed_dim;
  cfg.depth = depth;
  return cfg;
}

nets::DeltaMapper init_mapper(const nets::DeltaMapperConfig& config, uint64_t seed) {
  nets::DeltaMapper net(config);
  auto gen = stream_generator(seed, Stream::kInit, 0);
  torch::NoGradGuard no_grad;
  for (auto& p : net->named_parameters()) {
    const bool weight =
        p.key().size() > 7 && p.key().compare(p.key().size() - 7, 7, ".weight") == 0;
    if (weight)
      p.value().copy_(torch::randn(p.value().sizes(), gen, torch::kFloat32) / kMapperLrMul);
    else
      p.value().zero_();
  }
  net->train();
  return net;
}

io::StateDict mapper_state_dict(nets::DeltaMapperImpl& mapper) {
  io::StateDict sd;
  for (const auto& p : mapper.named_parameters())
    sd.add(p.key(), p.value().detach().to(torch::kCPU, torch::kFloat32).contiguous().clone());
  return sd;
}

struct MapperTrainer::Impl {
  TrainingData data;
  TrainOptions options;
  fs::path dir;
  torch::Device device = torch::kCPU;
  nets::DeltaMapperConfig config;
  nets::DeltaMapper mapper{nullptr};
  std::unique_ptr<torch::optim::Adam> adam;
  torch::Tensor s_train, c_train, s_val, c_val;  // on the device
  torch::Tensor s_pair, c_pair;                  // counterpart pairs (rows 2k, 2k + 1), or undefined
  PairIndices val_pairs;
  int64_t step = 0;
  bool resumed = false;
  std::vector<std::string> log_rows;  // CSV lines after the header
  // Training losses since the last log row.
  LossValues window_sum;
  int64_t window_steps = 0;
  double step_seconds = 0;  // time spent in training steps this session
  int64_t session_steps = 0;

  // DeltaEdit's random pairs, with paired_fraction of the rows taken from the counterpart pairs
  // (either order) when there are any.
  PairBatch training_batch(int64_t n_train, torch::Generator& gen) const {
    const int64_t b = options.batch_size;
    const int64_t from_pairs = s_pair.defined() ? std::llround(static_cast<double>(b) * options.paired_fraction) : 0;
    PairBatch batch = make_pair_batch(s_train, c_train, sample_pairs(n_train, b - from_pairs, gen));
    if (from_pairs == 0) return batch;
    const auto k = torch::randint(s_pair.size(0) / 2, {from_pairs}, gen, torch::kInt64);
    const auto flip = torch::randint(2, {from_pairs}, gen, torch::kInt64);
    const PairIndices p{2 * k + flip, 2 * k + 1 - flip};
    const PairBatch q = make_pair_batch(s_pair, c_pair, p);
    return {torch::cat({batch.s_i, q.s_i}), torch::cat({batch.condition, q.condition}),
            torch::cat({batch.target, q.target})};
  }

  // The step's batch; its noise (after the pairs' draws) comes from the same stream.
  PairBatch noisy_training_batch(int64_t n_train, torch::Generator& gen) const {
    PairBatch batch = training_batch(n_train, gen);
    if (options.delta_noise > 0) batch.condition = noisy_condition(batch.condition, options.delta_noise, gen);
    return batch;
  }

  fs::path options_file() const { return dir / "train_options.json"; }
  fs::path state_file() const { return dir / "train_state.pt"; }
  fs::path weights_file() const { return dir / "net_face.pth"; }
  fs::path log_file() const { return dir / "train_log.csv"; }

  void split_data() {
    const int64_t n = data.s.size(0);
    const int64_t n_val =
        options.val_fraction > 0 ? std::max<int64_t>(2, std::llround(n * options.val_fraction)) : 0;
    if (n - n_val < 2)
      throw std::invalid_argument("too few codes: " + std::to_string(n) + " codes leave " +
                                  std::to_string(n - n_val) + " for training after " +
                                  std::to_string(n_val) + " validation codes (need 2)");
    if (data.pair_s.defined()) {
      s_pair = data.pair_s.to(device);
      c_pair = data.pair_c_unit.to(device);
    }
    s_train = data.s.narrow(0, 0, n - n_val).to(device);
    c_train = data.c_unit.narrow(0, 0, n - n_val).to(device);
    if (n_val > 0) {
      s_val = data.s.narrow(0, n - n_val, n_val).to(device);
      c_val = data.c_unit.narrow(0, n - n_val, n_val).to(device);
      auto gen = stream_generator(options.seed, Stream::kValidation, 0);
      val_pairs = sample_pairs(n_val, options.val_pairs, gen);
    }
  }

  void start_or_resume() {
    const json settings = run_settings(options, data, config);
    if (fs::exists(state_file())) {
      const json saved = json::parse(read_text_file(options_file()), nullptr, false);
      if (saved.is_discarded() || !saved.contains("settings"))
        throw DataFileError(options_file(), "is missing or corrupt: cannot resume the run");
      if (saved["settings"] != settings) {
        std::string diff;
        for (const auto& [key, value] : settings.items())
          if (!saved["settings"].contains(key) || saved["settings"][key] != value)
            diff += (diff.empty() ? "" : ", ") + key;
        throw OutputConflict(options_file(), "belongs to a run with other settings or data (" +
                                                 diff +
                                                 "): use the same options to resume, or another "
                                                 "output folder");
      }
      load_state();
      resumed = true;
      return;
    }
    if (!is_missing_or_empty(dir))
      throw OutputConflict(dir,
                           "exists and holds no training run (no train_state.pt): refusing "
                           "to write into it");
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) throw OutputConflict(dir, "cannot be created (" + ec.message() + ")");
    json j = {{"format", "deltaedit-mapper-run"},
              {"version", kRunFormatVersion},
              {"settings", settings},
              {"note", "iterations, val_every and save_every may change when resuming"}};
    write_text_atomically(options_file(), j.dump(2) + "\n");
  }

  void load_state() {
    io::StateDict st;
    try {
      st = io::load_state_dict(state_file());
    } catch (const io::ModelFileError& e) {
      throw DataFileError(state_file(), e.problem());
    }
    st.set_source(state_file());
    try {
      const auto& step_t = st.at("step");
      if (step_t.numel() != 1) throw DataFileError(state_file(), "'step' is not a number");
      step = step_t.to(torch::kInt64).item<int64_t>();
      torch::NoGradGuard no_grad;
      nets::load_weights(*mapper, st.with_prefix("mapper."), {});
      restore_adam_state(*adam, *mapper, st, step, "adam.");
    } catch (const io::ModelFileError& e) {
      throw DataFileError(state_file(), e.problem());
    }
    // The log keeps the rows up to the resumed step (later ones were not saved).
    if (fs::exists(log_file())) {
      std::istringstream in(read_text_file(log_file()));
      std::string line;
      std::getline(in, line);  // header
      while (std::getline(in, line)) {
        if (line.empty()) continue;
        char* end = nullptr;
        const long long row_step = std::strtoll(line.c_str(), &end, 10);
        if (end == line.c_str() || *end != ',')
          throw DataFileError(log_file(), "has a malformed row: '" + line + "'");
        if (row_step <= step) log_rows.push_back(line);
      }
    }
  }

  void add_log_row(const std::optional<LossValues>& val) {
    std::ostringstream row;
    row << step << ',';
    if (window_steps > 0) {
      row << csv_number(window_sum.total / window_steps) << ','
          << csv_number(window_sum.l2 / window_steps) << ','
          << csv_number(window_sum.cosine / window_steps) << ',';
    } else {
      row << ",,,";
    }
    if (val)
      row << csv_number(val->total) << ',' << csv_number(val->l2) << ',' << csv_number(val->cosine);
    else
      row << ",,";
    log_rows.push_back(row.str());
    window_sum = {};
    window_steps = 0;
  }

  void write_log() const {
    std::string text = "step,train_loss,train_l2,train_cos,val_loss,val_l2,val_cos\n";
    for (const auto& r : log_rows) text += r + "\n";
    write_text_atomically(log_file(), text);
  }
};

MapperTrainer::MapperTrainer(TrainingData data, const TrainOptions& options, fs::path run_dir,
                             torch::Device device)
    : impl_(std::make_unique<Impl>()) {
  auto& m = *impl_;
  if (options.batch_size < 1 || options.iterations < 0 || options.learning_rate <= 0 ||
      options.val_fraction < 0 || options.val_fraction > 0.5 || options.val_pairs < 1 ||
      options.val_every < 0 || options.save_every < 0 ||
      !(options.paired_fraction >= 0 && options.paired_fraction <= 1) ||
      !(options.delta_noise >= 0 && options.delta_noise <= 100))
    throw std::invalid_argument(
        "bad training options (batch >= 1, iterations >= 0, learning rate > 0, validation "
        "fraction in [0, 0.5], validation pairs >= 1, schedules >= 0, paired fraction in [0, 1], "
        "delta noise in [0, 100])");
  if (!data.s.defined() || data.s.dim() != 2 || !data.c_unit.defined() ||
      data.c_unit.size(0) != data.s.size(0))
    throw std::invalid_argument("training data: S and CLIP rows do not match");
  m.data = std::move(data);
  m.options = options;
  m.dir = std::move(run_dir);
  m.device = device;
  if (options.init_weights.empty()) {
    m.config = mapper_config_for(m.data.s_widths, m.data.c_unit.size(1), options.depth);
    m.mapper = init_mapper(m.config, options.seed);
  } else {
    io::StateDict w = io::load_state_dict(options.init_weights);
    w.set_source(options.init_weights);
    m.mapper = nets::build_delta_mapper(w, m.data.s_widths);
    m.config = m.mapper->config();
    if (m.config.condition_dim != 2 * m.data.c_unit.size(1))
      throw io::ModelFileError(options.init_weights,
                               "mapper condition width " + std::to_string(m.config.condition_dim) +
                                   " does not match the codes' CLIP width " +
                                   std::to_string(m.data.c_unit.size(1)) + " x 2");
    for (auto& p : m.mapper->parameters()) p.set_requires_grad(true);
  }
  if (m.config.sspace_dim() != m.data.s.size(1))
    throw std::invalid_argument("training data: S width " + std::to_string(m.data.s.size(1)) +
                                " differs from the generator's " +
                                std::to_string(m.config.sspace_dim()));
  m.mapper->to(device, torch::kFloat32);
  m.mapper->train();
  m.adam = std::make_unique<torch::optim::Adam>(m.mapper->parameters(),
                                                torch::optim::AdamOptions(options.learning_rate));
  m.split_data();
  m.start_or_resume();
}

MapperTrainer::~MapperTrainer() = default;

int64_t MapperTrainer::step() const { return impl_->step; }
bool MapperTrainer::resumed() const { return impl_->resumed; }
int64_t MapperTrainer::train_rows() const { return impl_->s_train.size(0); }
int64_t MapperTrainer::validation_rows() const {
  return impl_->s_val.defined() ? impl_->s_val.size(0) : 0;
}
nets::DeltaMapper MapperTrainer::mapper() const { return impl_->mapper; }
const fs::path& MapperTrainer::run_dir() const { return impl_->dir; }

LossValues MapperTrainer::validate() {
  auto& m = *impl_;
  TORCH_CHECK(m.s_val.defined(), "no validation rows (validation fraction 0)");
  torch::NoGradGuard no_grad;
  const int64_t total = m.val_pairs.i.size(0);
  const int64_t chunk = std::max<int64_t>(m.options.batch_size, 256);
  double sq_sum = 0, cos_sum = 0;
  for (int64_t b = 0; b < total; b += chunk) {
    const int64_t n = std::min(chunk, total - b);
    const PairIndices p{m.val_pairs.i.narrow(0, b, n), m.val_pairs.j.narrow(0, b, n)};
    const auto batch = make_pair_batch(m.s_val, m.c_val, p);
    const auto loss = delta_loss(m.mapper->forward(batch.s_i, batch.condition), batch.target);
    sq_sum += scalar(loss.l2) * static_cast<double>(n);
    cos_sum += (1.0 - scalar(loss.cosine)) * static_cast<double>(n);
  }
  LossValues v;
  v.l2 = sq_sum / static_cast<double>(total);
  v.cosine = 1.0 - cos_sum / static_cast<double>(total);
  v.total = m.options.weights.l2 * v.l2 + m.options.weights.cosine * v.cosine;
  return v;
}

void MapperTrainer::train(const TrainProgress& progress) {
  auto& m = *impl_;
  const bool has_val = m.s_val.defined();
  if (m.step == 0 && m.log_rows.empty()) {  // a new run: log the starting point
    TrainEvent start;
    start.iterations = m.options.iterations;
    if (has_val) start.validation = validate();
    m.add_log_row(start.validation);
    m.write_log();
    if (progress) progress(start);
  }
  const int64_t n_train = m.s_train.size(0);
  while (m.step < m.options.iterations) {
    const auto t0 = std::chrono::steady_clock::now();
    auto gen = stream_generator(m.options.seed, Stream::kPairs, static_cast<uint64_t>(m.step));
    const auto batch = m.noisy_training_batch(n_train, gen);
    const auto loss =
        delta_loss(m.mapper->forward(batch.s_i, batch.condition), batch.target, m.options.weights);
    m.adam->zero_grad();
    loss.total.backward();
    m.adam->step();
    ++m.step;
    TrainEvent ev;
    ev.train = values_of(loss);  // synchronises a CUDA stream, so the timing below is honest
    m.step_seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ++m.session_steps;
    m.window_sum.total += ev.train.total;
    m.window_sum.l2 += ev.train.l2;
    m.window_sum.cosine += ev.train.cosine;
    ++m.window_steps;

    const bool last = m.step == m.options.iterations;
    ev.step = m.step;
    ev.iterations = m.options.iterations;
    if ((m.options.val_every > 0 && m.step % m.options.val_every == 0) || last) {
      if (has_val) ev.validation = validate();
      m.add_log_row(ev.validation);
    }
    if ((m.options.save_every > 0 && m.step % m.options.save_every == 0) || last) {
      save();
      ev.saved = true;
    }
    ev.steps_per_second = m.session_steps / std::max(m.step_seconds, 1e-9);
    if (progress) progress(ev);
  }
}

void MapperTrainer::save() {
  auto& m = *impl_;
  const io::StateDict weights = mapper_state_dict(*m.mapper);
  io::StateDict state;
  state.add("step", torch::tensor(m.step, torch::kInt64));
  for (const auto& [name, t] : weights.entries()) state.add("mapper." + name, t);
  add_adam_state(state, *m.adam, *m.mapper, "adam.");
  try {
    // The state first: it is the resume point, and net_face.pth is its export.
    io::save_state_dict(m.state_file(), state);
    io::save_state_dict(m.weights_file(), weights);
  } catch (const io::ModelFileError& e) {
    throw OutputConflict(e.file(), e.problem());
  }
  m.write_log();
}

}  // namespace deltaedit::train
