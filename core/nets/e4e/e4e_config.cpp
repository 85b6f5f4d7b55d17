#include "core/nets/e4e/e4e_config.h"

#include <string>

#include "core/io/model_file_error.h"
#include "core/nets/common/weights.h"

namespace deltaedit::nets {
namespace {

// Shape of `key`, which must have `rank` dimensions.
std::vector<int64_t> shape_with_rank(const io::StateDict& w, const std::string& key, size_t rank) {
  auto s = shape_of(w, key);
  if (s.size() != rank)
    throw io::ModelFileError(w.source(), "key '" + key + "': expected a " + std::to_string(rank) +
                                             "-d tensor, found " + std::to_string(s.size()) + "-d");
  return s;
}

// The conv indices of a GradualStyleBlock's `convs` (Conv2d, LeakyReLU, Conv2d, ...): 0, 2, 4, ...
int64_t count_style_convs(const io::StateDict& w, const std::string& prefix) {
  int64_t n = 0;
  while (w.contains(prefix + "convs." + std::to_string(2 * n) + ".weight")) ++n;
  return n;
}

}  // namespace

E4eConfig infer_e4e_config(const io::StateDict& w) {
  auto fail = [&](const std::string& problem) -> io::ModelFileError {
    return io::ModelFileError(w.source(), "not a usable Encoder4Editing: " + problem);
  };
  E4eConfig cfg;
  const auto stem = shape_with_rank(w, "input_layer.0.weight", 4);
  cfg.stem_width = stem[0];
  cfg.in_channels = stem[1];

  // Body: a stage starts at unit 0 and wherever the width changes; its first unit has stride 2.
  const int64_t n_units = count_indexed(w, "body.", ".res_layer.1.weight");
  if (n_units == 0) throw fail("no 'body.0.res_layer.1.weight' (is this an e4e encoder?)");
  int64_t prev_depth = cfg.stem_width;
  for (int64_t i = 0; i < n_units; ++i) {
    const std::string p = "body." + std::to_string(i) + ".";
    const auto conv = shape_with_rank(w, p + "res_layer.1.weight", 4);
    E4eConfig::Unit u;
    u.depth = conv[0];
    u.in_channels = conv[1];
    if (u.in_channels != prev_depth)
      throw fail("key '" + p + "res_layer.1.weight' takes " + std::to_string(u.in_channels) +
                 " channels but the previous layer gives " + std::to_string(prev_depth));
    const bool stage_start = i == 0 || u.depth != prev_depth;
    if (stage_start && i > 0) cfg.stage_last_unit.push_back(i - 1);
    u.stride = stage_start ? 2 : 1;
    u.conv_shortcut = w.contains(p + "shortcut_layer.0.weight");
    if (!u.conv_shortcut && u.in_channels != u.depth)
      throw fail("unit " + std::to_string(i) + " changes width but has no '" + p +
                 "shortcut_layer.0.weight'");
    u.se_channels = shape_with_rank(w, p + "res_layer.5.fc1.weight", 4)[0];
    cfg.units.push_back(u);
    prev_depth = u.depth;
  }
  cfg.stage_last_unit.push_back(n_units - 1);
  if (cfg.stage_last_unit.size() != 4)
    throw fail("expected 4 backbone stages (widths changing 3 times), found " +
               std::to_string(cfg.stage_last_unit.size()));

  // Style blocks.
  const int64_t n_styles = count_indexed(w, "styles.", ".linear.weight");
  if (n_styles == 0) throw fail("no 'styles.0.linear.weight'");
  for (int64_t i = 0; i < n_styles; ++i) {
    const std::string p = "styles." + std::to_string(i) + ".";
    E4eConfig::Style s;
    s.num_convs = count_style_convs(w, p);
    if (s.num_convs == 0) throw fail("missing key '" + p + "convs.0.weight'");
    const auto conv0 = shape_with_rank(w, p + "convs.0.weight", 4);
    s.width = conv0[0];
    s.in_channels = conv0[1];
    cfg.styles.push_back(s);
  }

  cfg.fpn_width = shape_with_rank(w, "latlayer1.weight", 4)[0];
  // Where the conv count (hence the input map size) changes, the style reads the next FPN level.
  cfg.coarse_ind = cfg.middle_ind = n_styles;
  for (int64_t i = 1; i < n_styles; ++i) {
    if (cfg.styles[i].num_convs == cfg.styles[i - 1].num_convs) continue;
    if (cfg.coarse_ind == n_styles) {
      cfg.coarse_ind = i;
    } else if (cfg.middle_ind == n_styles) {
      cfg.middle_ind = i;
    } else {
      throw fail("style blocks use more than three feature map sizes");
    }
  }
  return cfg;
}

}  // namespace deltaedit::nets
