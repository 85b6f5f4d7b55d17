#include "core/nets/mapper/delta_mapper.h"
#include "core/nets/common/half_storage.h"

#include <numeric>
#include <sstream>
#include <stdexcept>

#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "core/nets/common/weights.h"

namespace deltaedit::nets {
namespace {

std::string list_str(const std::vector<int64_t>& v) {
  std::ostringstream ss;
  ss << '[';
  for (size_t i = 0; i < v.size(); ++i) ss << (i ? ", " : "") << v[i];
  ss << ']';
  return ss.str();
}

}  // namespace

DeltaMapperConfig DeltaMapperImpl::infer_config(const io::StateDict& w,
                                                const std::vector<int64_t>& s_widths) {
  DeltaMapperConfig cfg;
  // With PixelNorm at mapping.0, the first linear of the style/condition modules is mapping.1.
  cfg.style_width = shape_of(w, "sm_coarse.mapping.1.weight").at(1);
  cfg.fine_dim = shape_of(w, "sm_fine.mapping.1.weight").at(1);
  cfg.condition_dim = shape_of(w, "cm_coarse.mapping.1.weight").at(1);
  cfg.depth = count_indexed(w, "fm_coarse.mapping.", ".weight");
  if (cfg.depth < 1)
    throw io::ModelFileError(w.source(), "missing key 'fm_coarse.mapping.0.weight'");

  // The split is by conv layers: coarse and medium layers must all have the mapper's style
  // width, and the remaining layers together the fine width.
  const size_t split = static_cast<size_t>(cfg.coarse_layers + cfg.medium_layers);
  bool ok = s_widths.size() > split;
  for (size_t i = 0; ok && i < split; ++i) ok = s_widths[i] == cfg.style_width;
  const int64_t fine =
      ok ? std::accumulate(s_widths.begin() + split, s_widths.end(), int64_t{0}) : 0;
  if (!ok || fine != cfg.fine_dim) {
    throw io::ModelFileError(
        w.source(), "the mapper expects " + std::to_string(split) +
                        " coarse/medium S layers of width " + std::to_string(cfg.style_width) +
                        " followed by " + std::to_string(cfg.fine_dim) + " fine channels (S = " +
                        std::to_string(cfg.sspace_dim()) + "), but the generator's S widths are " +
                        list_str(s_widths) + ": the mapper does not belong to this generator");
  }
  return cfg;
}

DeltaMapperImpl::DeltaMapperImpl(const DeltaMapperConfig& cfg) : cfg_(cfg) {
  const int64_t w = cfg.style_width, f = cfg.fine_dim, c = cfg.condition_dim, d = cfg.depth;
  sm_coarse = register_module("sm_coarse", MapperBlock(w, w, true, d));
  sm_medium = register_module("sm_medium", MapperBlock(w, w, true, d));
  sm_fine = register_module("sm_fine", MapperBlock(f, f, true, d));
  cm_coarse = register_module("cm_coarse", MapperBlock(c, w, true, d));
  cm_medium = register_module("cm_medium", MapperBlock(c, w, true, d));
  cm_fine = register_module("cm_fine", MapperBlock(c, f, true, d));
  fm_coarse = register_module("fm_coarse", MapperBlock(2 * w, w, false, d));
  fm_medium = register_module("fm_medium", MapperBlock(2 * w, w, false, d));
  fm_fine = register_module("fm_fine", MapperBlock(2 * f, f, false, d));
}

int64_t DeltaMapperImpl::store_weights_in_half() {
  return store_in_half(*this, [](const std::string& name, const torch::Tensor&) { return name.ends_with(".weight"); });
}

torch::Tensor DeltaMapperImpl::forward(const torch::Tensor& s, const torch::Tensor& c) {
  if (s.dim() != 2 || s.size(1) != cfg_.sspace_dim() || c.dim() != 2 ||
      c.size(1) != cfg_.condition_dim || c.size(0) != s.size(0)) {
    std::ostringstream ss;
    ss << "DeltaMapper: expected S [B, " << cfg_.sspace_dim() << "] and condition [B, "
       << cfg_.condition_dim << "], got " << s.sizes() << " and " << c.sizes();
    throw std::invalid_argument(ss.str());
  }
  const int64_t w = cfg_.style_width, nc = cfg_.coarse_layers, nm = cfg_.medium_layers;
  // [B, S] -> [B, 3, w], [B, 4, w], [B, fine]
  auto s_coarse = sm_coarse(s.narrow(1, 0, nc * w).reshape({-1, nc, w}));
  auto s_medium = sm_medium(s.narrow(1, nc * w, nm * w).reshape({-1, nm, w}));
  auto s_fine = sm_fine(s.narrow(1, (nc + nm) * w, cfg_.fine_dim));

  // [B, 2E] -> [B, w] repeated over the layer slots, [B, fine]
  auto c_coarse = cm_coarse(c).unsqueeze(1).expand({-1, nc, -1});
  auto c_medium = cm_medium(c).unsqueeze(1).expand({-1, nm, -1});
  auto c_fine = cm_fine(c);

  auto x_coarse = fm_coarse(torch::cat({s_coarse, c_coarse}, 2)).reshape({-1, nc * w});
  auto x_medium = fm_medium(torch::cat({s_medium, c_medium}, 2)).reshape({-1, nm * w});
  auto x_fine = fm_fine(torch::cat({s_fine, c_fine}, 1));
  return torch::cat({x_coarse, x_medium, x_fine}, 1);  // [B, S]
}

DeltaMapper build_delta_mapper(const io::StateDict& w, const std::vector<int64_t>& s_widths) {
  DeltaMapper net(DeltaMapperImpl::infer_config(w, s_widths));
  load_weights(*net, w);
  return net;
}

LoadedMapper load_delta_mapper(const std::filesystem::path& file,
                               const std::vector<int64_t>& s_widths, const ComputeDevice& dev) {
  io::StateDict w = io::load_state_dict(file);
  w.set_source(file);
  DeltaMapper net = build_delta_mapper(w, s_widths);
  net->to(dev.device, dev.dtype);
  net->eval();
  return {net, file};
}

}  // namespace deltaedit::nets
