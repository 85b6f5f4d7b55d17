#include "core/nets/mapper/delta_mapper.h"

#include <chrono>
#include <iostream>

#include <gtest/gtest.h>

#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "tests/nets/mapper/mini_json.h"
#include "tests/support/fixtures.h"
#include "tests/support/tensor_compare.h"

namespace deltaedit::nets {
namespace {

using testing::fixture;
using testing::fixture_npy;
using testing::read_text;
namespace mj = testing::mini_json;

std::vector<int64_t> fixture_s_widths() {
  return mj::int_array(read_text(fixture("stylegan2/config.json")), "sspace_widths");
}

std::vector<int64_t> full_size_s_widths() {
  return mj::int_array(read_text(fixture("manifests/sspace_1024.json")), "sspace_widths");
}

// A state dict with the manifest's names and shapes: uninitialised values, or random ones at the
// scale EqualLinear initialises them (weights stored at 1/lr_mul).
io::StateDict manifest_state_dict(bool random_values = false) {
  io::StateDict w("net_face.pth");
  const auto manifest = read_text(fixture("manifests/deltamapper_net_face.json"));
  for (const auto& [name, shape] : mj::manifest_entries(manifest)) {
    if (!random_values)
      w.add(name, torch::empty(shape));
    else if (name.ends_with(".weight"))
      w.add(name, torch::randn(shape) / 0.01);
    else
      w.add(name, torch::randn(shape));
  }
  return w;
}

// A copy of `w` with `key` dropped or replaced.
io::StateDict edited(const io::StateDict& w, const std::string& key,
                     const torch::Tensor* replacement) {
  io::StateDict out(w.source());
  for (const auto& [name, t] : w.entries()) {
    if (name != key)
      out.add(name, t);
    else if (replacement)
      out.add(name, *replacement);
  }
  return out;
}

template <class F>
std::string model_error_of(F&& f) {
  try {
    f();
  } catch (const io::ModelFileError& e) {
    return e.what();
  }
  return "(no ModelFileError thrown)";
}

TEST(DeltaMapper, MatchesReferenceOutput) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto loaded =
      load_delta_mapper(fixture("mapper/mapper.pt"), fixture_s_widths(), choose_device("cpu"));
  const auto& cfg = loaded.net->config();
  EXPECT_EQ(cfg.style_width, 64);
  EXPECT_EQ(cfg.fine_dim, 96);
  EXPECT_EQ(cfg.condition_dim, 128);
  EXPECT_EQ(cfg.depth, 4);
  EXPECT_EQ(cfg.sspace_dim(), 544);

  torch::NoGradGuard no_grad;
  auto delta_s = loaded.net->forward(fixture_npy("mapper/s.npy"), fixture_npy("mapper/c.npy"));
  EXPECT_CLOSE_TO_REF(delta_s, fixture_npy("mapper/delta_s.npy"), 1e-4);
}

TEST(DeltaMapper, PipelineMapperOutput) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto loaded =
      load_delta_mapper(fixture("mapper/mapper.pt"), fixture_s_widths(), choose_device("cpu"));
  torch::NoGradGuard no_grad;
  const auto s = fixture_npy("pipeline/sspace.npy");
  const auto c = fixture_npy("pipeline/condition.npy");
  auto delta_s = loaded.net->forward(s.expand({c.size(0), -1}), c);
  EXPECT_CLOSE_TO_REF(delta_s, fixture_npy("pipeline/delta_s_raw.npy"), 1e-3);
}

// float16-stored weights (what the engine keeps on CPU): every EqualLinear weight halves, the
// output stays within the chained-output tolerance of the reference.
TEST(DeltaMapper, HalfStoredWeightsStayCloseToTheReference) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto loaded =
      load_delta_mapper(fixture("mapper/mapper.pt"), fixture_s_widths(), choose_device("cpu"));
  int64_t weight_elements = 0;
  for (const auto& p : loaded.net->named_parameters())
    if (p.key().ends_with(".weight")) weight_elements += p.value().numel();
  EXPECT_EQ(loaded.net->store_weights_in_half(), 2 * weight_elements);
  for (const auto& p : loaded.net->named_parameters())
    EXPECT_EQ(p.value().scalar_type(), p.key().ends_with(".weight") ? torch::kFloat16 : torch::kFloat32)
        << p.key();
  torch::NoGradGuard no_grad;
  auto delta_s = loaded.net->forward(fixture_npy("mapper/s.npy"), fixture_npy("mapper/c.npy"));
  EXPECT_EQ(delta_s.scalar_type(), torch::kFloat32);
  EXPECT_CLOSE_TO_REF(delta_s, fixture_npy("mapper/delta_s.npy"), 1e-3);
  EXPECT_EQ(loaded.net->store_weights_in_half(), 0);  // nothing left to store
}

TEST(DeltaMapper, FullSizeArchitectureMatchesManifest) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto w = manifest_state_dict();
  const auto cfg = DeltaMapperImpl::infer_config(w, full_size_s_widths());
  EXPECT_EQ(cfg.style_width, 512);
  EXPECT_EQ(cfg.fine_dim, 2464);
  EXPECT_EQ(cfg.condition_dim, 1024);
  EXPECT_EQ(cfg.sspace_dim(), 6048);
  DeltaMapper net(cfg);
  const auto params = net->named_parameters(/*recurse=*/true);
  ASSERT_EQ(params.size(), w.size());
  size_t i = 0;
  for (const auto& [name, t] : w.entries()) {
    EXPECT_EQ(params[i].key(), name) << "at position " << i;
    EXPECT_EQ(params[i].value().sizes(), t.sizes()) << name;
    ++i;
  }
  EXPECT_EQ(net->named_buffers().size(), 0u);
}

TEST(DeltaMapper, FullSizeForwardOnCpu) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto widths = full_size_s_widths();
  DeltaMapper net = build_delta_mapper(manifest_state_dict(/*random_values=*/true), widths);
  net->eval();
  torch::NoGradGuard no_grad;
  const auto s = torch::randn({1, 6048});
  const auto c = torch::nn::functional::normalize(
      torch::randn({1, 1024}), torch::nn::functional::NormalizeFuncOptions().dim(1));
  auto out = net->forward(s, c);  // warm-up
  const int reps = 5;
  const auto t0 = std::chrono::steady_clock::now();
  for (int r = 0; r < reps; ++r) out = net->forward(s, c);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count() /
      reps;
  std::cout << "[ timing ] full-size DeltaMapper forward, batch 1, CPU ("
            << torch::get_num_threads() << " threads): " << ms << " ms\n";
  RecordProperty("forward_ms", std::to_string(ms));
  EXPECT_EQ(out.sizes(), (std::vector<int64_t>{1, 6048}));
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
}

TEST(DeltaMapper, MissingKeyNamesFileAndKey) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto w = io::load_state_dict(fixture("mapper/mapper.pt"));
  const auto bad = edited(w, "cm_fine.mapping.3.bias", nullptr);
  const std::string msg = model_error_of([&] { build_delta_mapper(bad, fixture_s_widths()); });
  EXPECT_NE(msg.find("mapper.pt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("cm_fine.mapping.3.bias"), std::string::npos) << msg;
  EXPECT_NE(msg.find("missing"), std::string::npos) << msg;
}

TEST(DeltaMapper, WrongShapeNamesExpectedAndFound) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto w = io::load_state_dict(fixture("mapper/mapper.pt"));
  const auto wrong = torch::zeros({64, 65});
  const auto bad = edited(w, "fm_medium.mapping.2.weight", &wrong);
  const std::string msg = model_error_of([&] { build_delta_mapper(bad, fixture_s_widths()); });
  EXPECT_NE(msg.find("mapper.pt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("fm_medium.mapping.2.weight"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[64, 64]"), std::string::npos) << msg;
  EXPECT_NE(msg.find("[64, 65]"), std::string::npos) << msg;
}

TEST(DeltaMapper, GeneratorWidthsMustAgree) {
  DELTAEDIT_REQUIRE_FIXTURES();
  const auto w = io::load_state_dict(fixture("mapper/mapper.pt"));
  // The full-size generator's widths with the small mapper, then a fine part one layer short.
  for (const auto& widths : {full_size_s_widths(), std::vector<int64_t>(8, 64)}) {
    const std::string msg = model_error_of([&] { build_delta_mapper(w, widths); });
    EXPECT_NE(msg.find("mapper.pt"), std::string::npos) << msg;
    EXPECT_NE(msg.find("96 fine channels"), std::string::npos) << msg;
    EXPECT_NE(msg.find("does not belong"), std::string::npos) << msg;
  }
}

TEST(DeltaMapper, RejectsWrongInputWidth) {
  DELTAEDIT_REQUIRE_FIXTURES();
  auto loaded =
      load_delta_mapper(fixture("mapper/mapper.pt"), fixture_s_widths(), choose_device("cpu"));
  torch::NoGradGuard no_grad;
  EXPECT_THROW(loaded.net->forward(torch::zeros({1, 543}), torch::zeros({1, 128})),
               std::invalid_argument);
  EXPECT_THROW(loaded.net->forward(torch::zeros({1, 544}), torch::zeros({1, 64})),
               std::invalid_argument);
}

}  // namespace
}  // namespace deltaedit::nets
