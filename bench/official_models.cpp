#include "bench/official_models.h"

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include <nlohmann/json.hpp>

namespace deltaedit::bench {
namespace {

namespace fs = std::filesystem;

// Random values of a plausible scale: matrices N(0, 1/fan_in), norm scales 1, biases 0, batch
// norm statistics (0, 1). Timing only needs finite, non-denormal values.
void randomize(torch::nn::Module& m) {
  torch::NoGradGuard no_grad;
  for (auto& p : m.named_parameters()) {
    torch::Tensor t = p.value();
    if (t.dim() >= 2)
      t.normal_(0.0, 1.0 / std::sqrt(double(t[0].numel())));
    else if (p.key().ends_with("weight"))
      t.fill_(1.0);
    else
      t.zero_();
  }
  for (auto& b : m.named_buffers()) {
    if (b.key().ends_with("running_var")) b.value().fill_(1.0);
    if (b.key().ends_with("running_mean")) b.value().zero_();
  }
}

void freeze(torch::nn::Module& m) {
  m.eval();
  for (auto& p : m.parameters()) p.set_requires_grad(false);
}

nets::GeneratorConfig ffhq_config() {
  nets::GeneratorConfig c;
  c.size = 1024;
  c.style_dim = 512;
  c.n_mlp = 8;
  c.channels = {512, 512, 512, 512, 512, 256, 128, 64, 32};  // 4 ... 1024, channel_multiplier 2
  return c;
}

nets::E4eConfig ffhq_encode_config() {
  nets::E4eConfig c;
  c.stem_width = 64;
  const int64_t depths[] = {64, 128, 256, 512}, units[] = {3, 4, 14, 3};  // IR-SE50
  int64_t in = 64;
  for (int s = 0; s < 4; ++s) {
    for (int64_t u = 0; u < units[s]; ++u) {
      nets::E4eConfig::Unit unit;
      unit.in_channels = u == 0 ? in : depths[s];
      unit.depth = depths[s];
      unit.stride = u == 0 ? 2 : 1;
      unit.conv_shortcut = unit.in_channels != unit.depth;
      unit.se_channels = depths[s] / 16;
      c.units.push_back(unit);
    }
    c.stage_last_unit.push_back(int64_t(c.units.size()) - 1);
    in = depths[s];
  }
  for (int64_t i = 0; i < 18; ++i)  // 3 coarse (16x16 map), 4 medium (32x32), 11 fine (64x64)
    c.styles.push_back({512, 512, i < 3 ? 4 : i < 7 ? 5 : 6});
  c.fpn_width = 512;
  c.coarse_ind = 3;
  c.middle_ind = 7;
  return c;
}

nets::ClipConfig vit_b32_config() {
  nets::ClipConfig c;
  c.embed_dim = 512;
  c.image_resolution = 224;
  c.vision_layers = 12;
  c.vision_width = 768;
  c.vision_patch_size = 32;
  c.vision_heads = 12;
  c.context_length = 77;
  c.vocab_size = 49408;
  c.transformer_width = 512;
  c.transformer_heads = 8;
  c.transformer_layers = 12;
  return c;
}

nets::DeltaMapperConfig mapper_config() {
  nets::DeltaMapperConfig c;
  c.style_width = 512;
  c.fine_dim = 2464;
  c.condition_dim = 1024;
  c.depth = 4;
  return c;
}

std::map<std::string, std::vector<int64_t>> shapes_of(torch::nn::Module& m, const std::string& prefix) {
  std::map<std::string, std::vector<int64_t>> out;
  for (const auto& p : m.named_parameters()) out[prefix + p.key()] = p.value().sizes().vec();
  for (const auto& b : m.named_buffers()) out[prefix + b.key()] = b.value().sizes().vec();
  return out;
}

// Every tensor entry {"name", "shape"} anywhere in a manifest, filtered by prefix.
void collect(const nlohmann::json& j, const std::string& prefix,
             std::map<std::string, std::vector<int64_t>>& out) {
  if (j.is_object()) {
    if (j.contains("name") && j.contains("shape") && j["name"].is_string()) {
      const std::string name = j["name"];
      if (name.starts_with(prefix)) out[name] = j["shape"].get<std::vector<int64_t>>();
      return;
    }
    for (const auto& [k, v] : j.items()) collect(v, prefix, out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect(v, prefix, out);
  }
}

}  // namespace

std::filesystem::path fixtures_dir() {
  if (const char* env = std::getenv("DELTAEDIT_FIXTURES"); env && *env) return env;
  return fs::path(DELTAEDIT_SOURCE_DIR).parent_path() / "shared" / "fixtures";
}

nets::Generator& official_generator() {
  static nets::Generator g = [] {
    torch::manual_seed(1);
    nets::Generator net(ffhq_config());  // the constructor draws N(0, 1) weights, as rosinality,
    for (auto& p : net->named_parameters())  // and zero noise strengths: give the noise a role
      if (p.key().ends_with("noise.weight")) p.value().data().fill_(0.1);
    freeze(*net);
    return net;
  }();
  return g;
}

nets::LoadedE4e& official_e4e() {
  static nets::LoadedE4e e = [] {
    torch::manual_seed(2);
    nets::LoadedE4e out;
    out.net = nets::Encoder4Editing(ffhq_encode_config());
    randomize(*out.net);
    freeze(*out.net);
    out.latent_avg = torch::randn({512}) * 0.1;
    return out;
  }();
  return e;
}

nets::ClipModel& official_clip() {
  static nets::ClipModel c = [] {
    torch::manual_seed(3);
    nets::ClipModel net(vit_b32_config());
    randomize(*net);
    freeze(*net);
    return net;
  }();
  return c;
}

nets::DeltaMapper& official_mapper() {
  static nets::DeltaMapper m = [] {
    torch::manual_seed(4);
    nets::DeltaMapper net(mapper_config());
    randomize(*net);
    freeze(*net);
    return net;
  }();
  return m;
}

std::string manifest_check() {
  const fs::path dir = fixtures_dir() / "manifests";
  if (!fs::exists(dir)) return "manifests not found at " + dir.string() + ": shapes unchecked";
  struct Net {
    const char* file;
    const char* prefix;
    std::map<std::string, std::vector<int64_t>> ours;
  };
  std::vector<Net> nets_to_check = {
      {"stylegan2_ffhq_config_f_1024.json", "", shapes_of(*official_generator(), "")},
      {"e4e_ffhq_encode.json", "encoder.", shapes_of(*official_e4e().net, "encoder.")},
      {"clip_vit_b32.json", "", shapes_of(*official_clip(), "")},
      {"deltamapper_net_face.json", "", shapes_of(*official_mapper(), "")}};
  std::ostringstream report;
  for (auto& n : nets_to_check) {
    std::ifstream in(dir / n.file);
    std::map<std::string, std::vector<int64_t>> manifest;
    collect(nlohmann::json::parse(in), n.prefix, manifest);
    // CLIP's archive also lists input_resolution/context_length/vocab_size: not parameters.
    for (auto it = manifest.begin(); it != manifest.end();)
      it = n.ours.count(it->first) || it->second.size() > 0 ? std::next(it) : manifest.erase(it);
    if (manifest != n.ours) {
      for (const auto& [name, shape] : manifest)
        if (!n.ours.count(name) || n.ours[name] != shape) {
          report << n.file << ": '" << name << "' differs or is missing; ";
          break;
        }
      for (const auto& [name, shape] : n.ours)
        if (!manifest.count(name)) {
          report << n.file << ": ours has extra '" << name << "'; ";
          break;
        }
    }
  }
  const std::string problems = report.str();
  return problems.empty() ? "names and shapes match the manifests" : problems;
}

double synthesis_flops(const nets::GeneratorConfig& cfg, int64_t max_resolution) {
  double flops = 0;
  const auto res = cfg.layer_resolutions();
  const auto widths = cfg.s_widths();
  for (size_t j = 0; j < res.size(); ++j) {
    if (max_resolution > 0 && res[j] > max_resolution && res[j] / 2 >= max_resolution) break;
    const double out = double(cfg.channels_at(res[j]));
    const bool up = j > 0 && j % 2 == 1;
    const double grid = up ? double(res[j] / 2) * (res[j] / 2) : double(res[j]) * res[j];
    flops += 2.0 * widths[j] * out * 9.0 * grid;
    if (!up) flops += 2.0 * out * 3.0 * double(res[j]) * res[j];  // the toRGB after this layer
  }
  return flops;
}

}  // namespace deltaedit::bench
