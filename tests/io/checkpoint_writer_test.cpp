// save_state_dict: our reader reads it back exactly, and (where python3 with torch exists)
// Python's torch.load agrees on every tensor.
#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>

#include "core/io/checkpoint_reader.h"
#include "core/io/checkpoint_writer.h"
#include "core/io/model_file_error.h"
#include "core/io/model_inspect.h"
#include "core/io/zip_archive.h"
#include "tests/support/fixtures.h"

namespace deltaedit::io {
namespace {

StateDict sample() {
  StateDict sd;
  torch::manual_seed(3);
  const torch::Tensor base = torch::randn({10, 6});
  sd.add("conv.weight", torch::randn({4, 3, 3, 3}));
  sd.add("half", torch::randn({3, 5}).to(torch::kHalf));
  sd.add("bf16", torch::randn({4}).to(torch::kBFloat16));
  sd.add("f64", torch::randn({2}, torch::kDouble));
  sd.add("steps", torch::tensor(int64_t{12345678901}));
  sd.add("i32", torch::arange(5, torch::kInt));
  sd.add("i16", torch::arange(5, torch::kShort));
  sd.add("i8", torch::arange(-2, 3, torch::kChar));
  sd.add("u8", torch::arange(7, torch::kByte));
  sd.add("mask", torch::tensor({true, false}));
  sd.add("empty", torch::empty({0, 4}));
  sd.add("empty_long", torch::empty({0}, torch::kLong));
  sd.add("view_a", base.narrow(0, 2, 3));     // storage offset
  sd.add("view_b", base.t());                 // same storage, transposed
  sd.add("expanded", torch::randn({3, 1}).expand({3, 4}));
  return sd;
}

TEST(CheckpointWriter, OurReaderReadsItBackExactly) {
  const auto path = testing::temp_dir("writer") / "model.pt";
  const StateDict sd = sample();
  save_state_dict(path, sd);
  const StateDict back = load_state_dict(path);
  ASSERT_EQ(back.size(), sd.size());
  for (std::size_t i = 0; i < sd.size(); ++i) {
    const auto& [name, want] = sd.entries()[i];
    const auto& [got_name, got] = back.entries()[i];
    EXPECT_EQ(got_name, name);
    EXPECT_EQ(got.scalar_type(), want.scalar_type()) << name;
    EXPECT_EQ(got.sizes(), want.sizes()) << name;
    EXPECT_EQ(got.strides(), want.strides()) << name;
    EXPECT_EQ(got.storage_offset(), want.storage_offset()) << name;
    EXPECT_TRUE(torch::equal(got, want)) << name;
  }
  EXPECT_TRUE(back.at("view_a").is_alias_of(back.at("view_b")));
  // Records are stored under the file stem and 64-byte aligned (mappable in place).
  const ZipArchive zip(FileBytes::map(path));
  EXPECT_EQ(zip.prefix(), "model");
  for (const auto& name : zip.names()) {
    if (!name.starts_with("data/")) continue;
    EXPECT_EQ((zip.record(name).data() - zip.bytes()->data()) % 64, 0) << name;
  }
}

TEST(CheckpointWriter, ReplacesAtomically) {
  const auto dir = testing::temp_dir("writer_atomic");
  StateDict a;
  a.add("x", torch::ones({3}));
  save_state_dict(dir / "m.pt", a);
  StateDict b;
  b.add("y", torch::zeros({2}));
  save_state_dict(dir / "m.pt", b);
  const StateDict back = load_state_dict(dir / "m.pt");
  EXPECT_FALSE(back.contains("x"));
  EXPECT_TRUE(back.contains("y"));
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++files;
  EXPECT_EQ(files, 1u);
  EXPECT_THROW(save_state_dict(dir / "no_such_dir" / "m.pt", b), ModelFileError);
}

// A python3 that can import torch (the one on PATH may be a virtualenv without it).
std::string python_with_torch() {
  for (const char* py : {"python3", "/usr/bin/python3"})
    if (std::system((std::string(py) + " -c 'import torch' >/dev/null 2>&1").c_str()) == 0)
      return py;
  return {};
}

std::string run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
  ::pclose(p);
  return out;
}

TEST(CheckpointWriter, PythonTorchLoadReadsIt) {
  const std::string python = python_with_torch();
  if (python.empty()) GTEST_SKIP() << "python3 with torch not available";
  const auto path = testing::temp_dir("writer_py") / "model.pt";
  const StateDict sd = sample();
  save_state_dict(path, sd);
  // One line per tensor: name dtype shape stride offset sum-of-values (float64, C order).
  const std::string script =
      "import sys, torch\n"
      "sd = torch.load(sys.argv[1])\n"
      "print(type(sd).__name__)\n"
      "for k, t in sd.items():\n"
      "    print(k, str(t.dtype).replace('torch.', ''), list(t.shape), list(t.stride()),\n"
      "          t.storage_offset(), repr(float(t.double().sum())))\n"
      "print('shared', sd['view_a'].storage().data_ptr() == sd['view_b'].storage().data_ptr())\n";
  const auto script_path = path.parent_path() / "check.py";
  { std::ofstream(script_path) << script; }
  const std::string out = run(python + " " + script_path.string() + " " + path.string() + " 2>&1");

  std::string want = "OrderedDict\n";
  const auto list = [](c10::IntArrayRef v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + std::to_string(v[i]);
    return s + "]";
  };
  const auto dtype = [](const torch::Tensor& t) { return dtype_name(t.scalar_type()); };
  for (const auto& [name, t] : sd.entries()) {
    char sum[64];
    std::snprintf(sum, sizeof sum, "%.17g", t.to(torch::kDouble).sum().item<double>());
    want += name + " " + dtype(t) + " " + list(t.sizes()) + " " + list(t.strides()) + " " +
            std::to_string(t.storage_offset()) + " ";
    // Python's repr of the same double.
    const std::string py = run("python3 -c 'print(repr(float(\"" + std::string(sum) + "\")))'");
    want += py;
  }
  want += "shared True\n";
  EXPECT_EQ(out, want);
}


// save_checkpoint: a plain dict mixing a state dict, a tensor, numbers and a string, as
// rosinality's {"g_ema", "latent_avg"} and e4e's {"state_dict", "latent_avg"} files are.
CheckpointEntries sample_checkpoint() {
  StateDict g;
  g.add("style.1.weight", torch::randn({8, 8}));
  g.add("noises.noise_0", torch::randn({1, 1, 4, 4}));
  const torch::Tensor avg = torch::randn({8});
  return {{"g_ema", g}, {"latent_avg", avg}, {"step", int64_t{123456789012}},
          {"lr", 0.002}, {"note", std::string("demo bundle")}};
}

TEST(CheckpointWriter, CheckpointDictReadsBackExactly) {
  const auto path = testing::temp_dir("writer_ckpt") / "generator.pt";
  const CheckpointEntries entries = sample_checkpoint();
  save_checkpoint(path, entries);
  const PickleValue root = load_checkpoint(path);
  ASSERT_TRUE(root.is_dict());
  ASSERT_EQ(root.dict.size(), entries.size());
  for (std::size_t i = 0; i < entries.size(); ++i) EXPECT_EQ(root.dict[i].first.text, entries[i].first);
  const StateDict g = state_dict_at(root, "g_ema", path);
  const StateDict& want = std::get<StateDict>(entries[0].second);
  ASSERT_EQ(g.size(), want.size());
  for (std::size_t i = 0; i < g.size(); ++i) {
    EXPECT_EQ(g.entries()[i].first, want.entries()[i].first);
    EXPECT_TRUE(torch::equal(g.entries()[i].second, want.entries()[i].second));
  }
  EXPECT_TRUE(torch::equal(root.find("latent_avg")->tensor, std::get<torch::Tensor>(entries[1].second)));
  EXPECT_EQ(root.find("step")->integer, 123456789012);
  EXPECT_EQ(root.find("lr")->real, 0.002);
  EXPECT_EQ(root.find("note")->text, "demo bundle");
}

TEST(CheckpointWriter, PythonTorchLoadReadsCheckpointDict) {
  const std::string python = python_with_torch();
  if (python.empty()) GTEST_SKIP() << "python3 with torch not available";
  const auto path = testing::temp_dir("writer_ckpt_py") / "generator.pt";
  const CheckpointEntries entries = sample_checkpoint();
  save_checkpoint(path, entries);
  const std::string script =
      "import sys, torch\n"
      "c = torch.load(sys.argv[1])\n"
      "print(type(c).__name__, list(c.keys()), type(c['g_ema']).__name__)\n"
      "print(list(c['g_ema'].keys()), list(c['latent_avg'].shape))\n"
      "print(c['step'], repr(c['lr']), c['note'])\n"
      "print(repr(float(c['g_ema']['style.1.weight'].double().sum())))\n";
  const auto script_path = path.parent_path() / "check.py";
  { std::ofstream(script_path) << script; }
  const std::string out = run(python + " " + script_path.string() + " " + path.string() + " 2>&1");
  char sum[64];
  std::snprintf(sum, sizeof sum, "%.17g",
                std::get<StateDict>(entries[0].second).at("style.1.weight").to(torch::kDouble).sum().item<double>());
  const std::string want =
      "dict ['g_ema', 'latent_avg', 'step', 'lr', 'note'] OrderedDict\n"
      "['style.1.weight', 'noises.noise_0'] [8]\n"
      "123456789012 0.002 demo bundle\n" +
      run("python3 -c 'print(repr(float(\"" + std::string(sum) + "\")))'");
  EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace deltaedit::io
