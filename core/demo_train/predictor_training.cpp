#include "core/demo_train/predictor_training.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Parallel.h>

#include <chrono>
#include <cmath>
#include <deque>
#include <cstring>
#include <fstream>
#include <mutex>
#include <numeric>
#include <sstream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "core/io/checkpoint_reader.h"
#include "core/io/checkpoint_writer.h"
#include "core/nets/common/weights.h"

namespace deltaedit::demo_train {
namespace {

namespace fs = std::filesystem;
namespace F = torch::nn::functional;

// Reads one PNG into `row` ([64, 64, 3] uint8 RGB).
void read_image(const fs::path& file, torch::Tensor row) {
  cv::Mat bgr = cv::imread(file.string(), cv::IMREAD_COLOR);
  if (bgr.empty()) throw demo::DatasetError(file, "cannot be read as an image");
  if (bgr.rows != kPredictorSide || bgr.cols != kPredictorSide)
    cv::resize(bgr, bgr, cv::Size(kPredictorSide, kPredictorSide), 0, 0, cv::INTER_AREA);
  cv::Mat rgb;
  cv::cvtColor(bgr, rgb, cv::COLOR_BGR2RGB);
  std::memcpy(row.data_ptr<uint8_t>(), rgb.data, static_cast<size_t>(rgb.total() * 3));
}

struct Targets {
  torch::Tensor regression;  // [N, 4] float
  torch::Tensor hair, background;  // [N] long
  torch::Tensor glasses, beard;    // [N] float 0/1
};

Targets targets_of(const std::vector<demo::FaceAttributes>& attributes) {
  const auto n = static_cast<int64_t>(attributes.size());
  Targets t{torch::empty({n, 4}), torch::empty({n}, torch::kLong), torch::empty({n}, torch::kLong),
            torch::empty({n}), torch::empty({n})};
  auto reg = t.regression.accessor<float, 2>();
  auto hair = t.hair.accessor<int64_t, 1>(), background = t.background.accessor<int64_t, 1>();
  auto glasses = t.glasses.accessor<float, 1>(), beard = t.beard.accessor<float, 1>();
  for (int64_t i = 0; i < n; ++i) {
    const auto& a = attributes[static_cast<size_t>(i)];
    reg[i][0] = a.smile;
    reg[i][1] = a.hair_length;
    reg[i][2] = a.skin_tone;
    reg[i][3] = a.eye_size;
    hair[i] = static_cast<int64_t>(a.hair_colour);
    background[i] = static_cast<int64_t>(a.background);
    glasses[i] = a.eyeglasses ? 1.0f : 0.0f;
    beard[i] = a.beard ? 1.0f : 0.0f;
  }
  return t;
}

// uint8 [B, H, W, 3] -> float [B, 3, H, W] in [0, 1]
torch::Tensor to_float(const torch::Tensor& hwc) {
  return hwc.permute({0, 3, 1, 2}).to(torch::kFloat32).div(255.0).contiguous();
}

// Label-preserving changes (every named attribute is left-right symmetric) that also make the
// predictor tolerant of the generator's softer, noisier pictures. [B, 3, H, W] -> same.
torch::Tensor augment(torch::Tensor x, at::Generator& gen) {
  const int64_t b = x.size(0);
  const auto flip = (torch::rand({b, 1, 1, 1}, gen) < 0.5);
  x = torch::where(flip, x.flip(3), x);
  x = x * (0.93 + 0.14 * torch::rand({b, 1, 1, 1}, gen));
  const auto k1 = torch::tensor({1.0f, 2.0f, 1.0f}) / 4.0;
  const auto kernel = torch::outer(k1, k1).expand({3, 1, 3, 3}).contiguous();
  const auto blurred = F::conv2d(F::pad(x, F::PadFuncOptions({1, 1, 1, 1}).mode(torch::kReplicate)),
                                 kernel, F::Conv2dFuncOptions().groups(3));
  const auto amount = torch::rand({b, 1, 1, 1}, gen) * (torch::rand({b, 1, 1, 1}, gen) < 0.5);
  x = x + amount * (blurred - x);
  x = x + torch::randn(x.sizes(), gen) * (0.02 * torch::rand({b, 1, 1, 1}, gen));
  return x.clamp(0.0, 1.0);
}

torch::Tensor loss_of(const torch::Tensor& outputs, const Targets& t, const torch::Tensor& idx) {
  const auto p = split_outputs(outputs);
  // Smile spans [-1, 1], the others [0, 1]: weight its error by 1/4 so each counts the same.
  const auto w = torch::tensor({0.25f, 1.0f, 1.0f, 1.0f});
  const auto reg = ((p.regression - t.regression.index_select(0, idx)).pow(2) * w).mean() * 4.0 * 10.0;
  return reg + F::cross_entropy(p.hair_logits, t.hair.index_select(0, idx)) +
         F::cross_entropy(p.background_logits, t.background.index_select(0, idx)) +
         F::binary_cross_entropy_with_logits(p.glasses_logit, t.glasses.index_select(0, idx)) +
         F::binary_cross_entropy_with_logits(p.beard_logit, t.beard.index_select(0, idx));
}

double learning_rate_at(const PredictorTrainingOptions& o, int64_t step) {
  const int64_t warmup = std::min<int64_t>(100, o.steps / 10 + 1);
  if (step < warmup) return o.learning_rate * static_cast<double>(step + 1) / static_cast<double>(warmup);
  const double t = static_cast<double>(step - warmup) / static_cast<double>(std::max<int64_t>(1, o.steps - warmup));
  return o.learning_rate * (0.05 + 0.95 * 0.5 * (1.0 + std::cos(M_PI * t)));
}

std::string adam_key(const torch::Tensor& p) { return c10::guts::to_string(p.unsafeGetTensorImpl()); }

fs::path checkpoint_path(const fs::path& out) { return fs::path(out.string() + ".partial"); }

// Model weights, Adam moments and the step, so a rerun continues exactly.
void save_training_checkpoint(const fs::path& file, AttributeNet& net, torch::optim::Adam& adam,
                              int64_t step, const PredictorTrainingOptions& o) {
  io::StateDict sd;
  for (const auto& p : net->named_parameters()) sd.add("model." + p.key(), p.value().detach());
  for (const auto& b : net->named_buffers()) sd.add("model." + b.key(), b.value().detach());
  const auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const auto it = adam.state().find(adam_key(params[i]));
    if (it == adam.state().end()) continue;
    const auto& s = static_cast<const torch::optim::AdamParamState&>(*it->second);
    sd.add("adam." + std::to_string(i) + ".exp_avg", s.exp_avg());
    sd.add("adam." + std::to_string(i) + ".exp_avg_sq", s.exp_avg_sq());
    sd.add("adam." + std::to_string(i) + ".step", torch::tensor(s.step(), torch::kLong));
  }
  sd.add("meta.step", torch::tensor(step, torch::kLong));
  sd.add("meta.seed", torch::tensor(static_cast<int64_t>(o.seed), torch::kLong));
  sd.add("meta.steps", torch::tensor(o.steps, torch::kLong));
  sd.add("meta.batch", torch::tensor(o.batch, torch::kLong));
  io::save_state_dict(file, sd);
}

// The step to continue from (0 when there is no usable checkpoint for these options).
int64_t load_training_checkpoint(const fs::path& file, AttributeNet& net, torch::optim::Adam& adam,
                                 const PredictorTrainingOptions& o) {
  if (!fs::exists(file)) return 0;
  const auto sd = io::load_state_dict(file);
  const auto meta = [&](const char* k) { return sd.at(k).item<int64_t>(); };
  if (meta("meta.seed") != static_cast<int64_t>(o.seed) || meta("meta.steps") != o.steps ||
      meta("meta.batch") != o.batch)
    return 0;  // made with other options: start over (it is overwritten at the next checkpoint)
  nets::load_weights(*net, sd.with_prefix("model."));
  const auto params = net->parameters();
  for (size_t i = 0; i < params.size(); ++i) {
    const std::string k = "adam." + std::to_string(i);
    if (!sd.contains(k + ".step")) continue;
    auto s = std::make_unique<torch::optim::AdamParamState>();
    s->step(sd.at(k + ".step").item<int64_t>());
    s->exp_avg(sd.at(k + ".exp_avg").clone());
    s->exp_avg_sq(sd.at(k + ".exp_avg_sq").clone());
    adam.state()[adam_key(params[i])] = std::move(s);
  }
  return meta("meta.step");
}

}  // namespace

double correlation(const torch::Tensor& a, const torch::Tensor& b) {
  const auto x = a.to(torch::kDouble) - a.to(torch::kDouble).mean();
  const auto y = b.to(torch::kDouble) - b.to(torch::kDouble).mean();
  return (x * y).sum().item<double>() / std::sqrt((x * x).sum().item<double>() * (y * y).sum().item<double>() + 1e-30);
}

DemoImages load_demo_images(const fs::path& data_dir, demo::Split split, int64_t max_count) {
  const fs::path list = data_dir / "attributes.jsonl";
  std::ifstream in(list);
  if (!in) throw demo::DatasetError(list, "cannot be read (make the dataset with `deltaedit demo dataset`)");
  const std::string wanted(demo::split_folder(split));
  DemoImages d;
  std::string line;
  int64_t line_no = 0;
  while (std::getline(in, line) && (max_count < 0 || d.size() < max_count)) {
    ++line_no;
    if (line.empty()) continue;
    try {
      const auto j = nlohmann::json::parse(line);
      if (j.at("split").get<std::string>() != wanted) continue;
      d.attributes.push_back(demo::attributes_from_json(j.at("attributes")));
      d.files.push_back(fs::absolute(data_dir / j.at("file").get<std::string>()));
    } catch (const std::exception& e) {
      throw demo::DatasetError(list, "line " + std::to_string(line_no) + ": " + e.what());
    }
  }
  d.images = torch::empty({d.size(), kPredictorSide, kPredictorSide, 3}, torch::kUInt8);
  std::string failure;
  std::mutex failure_mutex;
  at::parallel_for(0, d.size(), 64, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) {
      try {
        read_image(d.files[static_cast<size_t>(i)], d.images[i]);
      } catch (const std::exception& e) {
        std::lock_guard lock(failure_mutex);
        failure = e.what();
      }
    }
  });
  if (!failure.empty()) throw demo::DatasetError(data_dir, failure);
  return d;
}

PredictorMetrics evaluate_predictor(const AttributePredictor& predictor, const DemoImages& data) {
  const auto p = predictor.predict(data.images);
  const auto t = targets_of(data.attributes);
  PredictorMetrics m;
  const char* names[] = {"smile", "hair_length", "skin_tone", "eye_size"};
  for (int k = 0; k < 4; ++k) {
    const auto pred = p.regression.select(1, k), truth = t.regression.select(1, k);
    m.emplace_back(std::string(names[k]) + "_mae", (pred - truth).abs().mean().item<double>());
    m.emplace_back(std::string(names[k]) + "_corr", correlation(pred, truth));
  }
  const auto accuracy = [](const torch::Tensor& hit) { return hit.to(torch::kDouble).mean().item<double>(); };
  m.emplace_back("hair_colour_accuracy", accuracy(p.hair_logits.argmax(1) == t.hair));
  m.emplace_back("background_accuracy", accuracy(p.background_logits.argmax(1) == t.background));
  m.emplace_back("glasses_accuracy", accuracy((p.glasses_logit > 0) == (t.glasses > 0.5)));
  m.emplace_back("beard_accuracy", accuracy((p.beard_logit > 0) == (t.beard > 0.5)));
  return m;
}

std::string format_metrics(const PredictorMetrics& metrics) {
  std::ostringstream s;
  s.precision(3);
  s << std::fixed;
  for (size_t i = 0; i < metrics.size(); ++i) s << (i ? ", " : "") << metrics[i].first << " " << metrics[i].second;
  return s.str();
}

PredictorTrainingResult train_attribute_predictor(const PredictorTrainingOptions& o,
                                                  const PredictorProgress& progress) {
  if (o.steps < 1 || o.batch < 2) throw std::invalid_argument("train-predictor: steps >= 1 and batch >= 2 needed");
  const auto t0 = std::chrono::steady_clock::now();
  const auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
  PredictorTrainingResult result;
  const auto held_out = load_demo_images(o.data_dir, demo::Split::kHeldOut, o.max_held_out);
  result.held_out_count = held_out.size();
  if (fs::exists(o.out)) {  // a finished run is kept
    result.kept = true;
    if (held_out.size() > 0) result.held_out = evaluate_predictor(load_attribute_predictor(o.out), held_out);
    result.seconds = seconds();
    return result;
  }
  const auto train = load_demo_images(o.data_dir, demo::Split::kTrain, o.max_train);
  if (train.size() < 2) throw demo::DatasetError(o.data_dir, "has fewer than 2 training images");
  const auto targets = targets_of(train.attributes);

  torch::manual_seed(o.seed);
  AttributeNet net;
  torch::optim::Adam adam(net->parameters(), torch::optim::AdamOptions(o.learning_rate));
  const fs::path checkpoint = checkpoint_path(o.out);
  result.first_step = load_training_checkpoint(checkpoint, net, adam, o);
  net->train();
  std::deque<double> recent;
  for (int64_t step = result.first_step; step < o.steps; ++step) {
    // Batch and augmentation depend on (seed, step) only, so a resumed run draws the same.
    auto gen = at::detail::createCPUGenerator(o.seed * 0x9E3779B97F4A7C15ull + static_cast<uint64_t>(step) + 1);
    const auto idx = torch::randint(train.size(), {o.batch}, gen, torch::kLong);
    auto x = to_float(train.images.index_select(0, idx));
    if (o.augment) x = augment(x, gen);
    static_cast<torch::optim::AdamOptions&>(adam.param_groups()[0].options()).lr(learning_rate_at(o, step));
    adam.zero_grad();
    const auto loss = loss_of(net->forward(x), targets, idx);
    loss.backward();
    adam.step();
    recent.push_back(loss.item<double>());
    if (recent.size() > 50) recent.pop_front();
    result.last_loss = std::accumulate(recent.begin(), recent.end(), 0.0) / static_cast<double>(recent.size());
    if (progress) progress(step + 1, o.steps, result.last_loss);
    if ((step + 1) % o.checkpoint_every == 0 && step + 1 < o.steps)
      save_training_checkpoint(checkpoint, net, adam, step + 1, o);
  }
  net->eval();
  if (!o.out.parent_path().empty()) fs::create_directories(o.out.parent_path());
  save_attribute_predictor(o.out, net);
  std::error_code ignored;
  fs::remove(checkpoint, ignored);
  if (held_out.size() > 0) result.held_out = evaluate_predictor(AttributePredictor(net), held_out);
  result.seconds = seconds();
  return result;
}

}  // namespace deltaedit::demo_train
