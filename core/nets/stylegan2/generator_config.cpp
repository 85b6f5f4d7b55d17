#include "core/nets/stylegan2/generator_config.h"

#include <sstream>
#include <stdexcept>
#include <string>

#include "core/io/model_file_error.h"
#include "core/nets/common/weights.h"

namespace deltaedit::nets {
namespace {

// The tensor at `key` with `dims` dimensions, else ModelFileError naming file, key and shape.
const torch::Tensor& tensor_with_dims(const io::StateDict& sd, const std::string& key, int64_t dims,
                                      const char* expected) {
  const torch::Tensor& t = sd.at(key);
  if (t.dim() != dims)
    throw io::ModelFileError(sd.source(), "key '" + key + "': expected shape " + expected +
                                              ", found " + shape_str(t.sizes()));
  return t;
}

}  // namespace

int64_t GeneratorConfig::log_size() const {
  int64_t l = 0;
  while ((int64_t{1} << l) < size) ++l;
  return l;
}

int64_t GeneratorConfig::num_conv_layers() const { return 2 * (log_size() - 2) + 1; }

int64_t GeneratorConfig::n_latent() const { return 2 * log_size() - 2; }

int64_t GeneratorConfig::channels_at(int64_t resolution) const {
  int64_t i = 0;
  while ((int64_t{4} << i) < resolution) ++i;
  return channels.at(i);
}

std::vector<int64_t> GeneratorConfig::layer_resolutions() const {
  std::vector<int64_t> r{4};
  for (int64_t res = 8; res <= size; res *= 2) r.insert(r.end(), {res, res});
  return r;
}

std::vector<int64_t> GeneratorConfig::s_widths() const {
  // conv1 and every block's first conv read the previous width; the second conv its own.
  std::vector<int64_t> w{channels.at(0)};
  for (size_t i = 1; i < channels.size(); ++i) w.insert(w.end(), {channels[i - 1], channels[i]});
  return w;
}

std::vector<int64_t> GeneratorConfig::torgb_widths() const { return channels; }

void GeneratorConfig::validate() const {
  if (size < 4 || (size & (size - 1)) != 0)
    throw std::invalid_argument("generator size must be a power of two >= 4, got " +
                                std::to_string(size));
  if (style_dim <= 0 || n_mlp < 0)
    throw std::invalid_argument("generator style_dim must be > 0 and n_mlp >= 0");
  if (static_cast<int64_t>(channels.size()) != log_size() - 1)
    throw std::invalid_argument("generator channel table needs one width per resolution 4.." +
                                std::to_string(size));
  for (int64_t c : channels)
    if (c <= 0) throw std::invalid_argument("generator channel widths must be > 0");
  if (blur_kernel.size() < 2) throw std::invalid_argument("blur kernel needs >= 2 taps");
}

GeneratorConfig infer_generator_config(const io::StateDict& sd) {
  GeneratorConfig cfg;
  const torch::Tensor& first = tensor_with_dims(sd, "style.1.weight", 2, "[style_dim, style_dim]");
  cfg.style_dim = first.size(1);
  while (sd.contains("style." + std::to_string(cfg.n_mlp + 1) + ".weight")) ++cfg.n_mlp;

  cfg.channels.push_back(tensor_with_dims(sd, "input.input", 4, "[1, C, 4, 4]").size(1));
  // Blocks come in pairs of convs (upsampling, then plain); the pair count fixes the size.
  int64_t convs = 0;
  while (sd.contains("convs." + std::to_string(convs) + ".conv.weight")) ++convs;
  if (convs % 2 != 0)
    throw io::ModelFileError(sd.source(), "missing key 'convs." + std::to_string(convs) +
                                              ".conv.weight' (convs come in pairs)");
  for (int64_t i = 0; i < convs; i += 2) {
    const std::string key = "convs." + std::to_string(i) + ".conv.weight";
    cfg.channels.push_back(tensor_with_dims(sd, key, 5, "[1, out, in, 3, 3]").size(1));
  }
  if (convs / 2 > 28)
    throw io::ModelFileError(sd.source(), std::to_string(convs) + " synthesis convs: too many");
  cfg.size = int64_t{4} << (convs / 2);
  try {
    cfg.validate();
  } catch (const std::invalid_argument& e) {
    throw io::ModelFileError(sd.source(), std::string("not a StyleGAN2 generator: ") + e.what());
  }
  return cfg;
}

}  // namespace deltaedit::nets
