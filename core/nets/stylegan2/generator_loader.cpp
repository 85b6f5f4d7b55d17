// load_generator: rosinality checkpoint file -> ready-to-run Generator.
#include <sstream>

#include "core/io/checkpoint_reader.h"
#include "core/io/model_file_error.h"
#include "core/nets/common/weights.h"
#include "core/nets/stylegan2/generator.h"

namespace deltaedit::nets {

Generator build_generator(const io::StateDict& g_ema) {
  Generator net(GeneratorImpl::infer_config(g_ema));
  load_weights(*net, g_ema);
  return net;
}

LoadedGenerator load_generator(const std::filesystem::path& file, const ComputeDevice& dev) {
  const io::PickleValue root = io::load_checkpoint(file);
  io::StateDict g_ema = io::state_dict_at(root, "g_ema", file);
  g_ema.set_source(file);

  Generator net = build_generator(g_ema);

  const io::PickleValue* avg = root.find("latent_avg");
  if (!avg || !avg->is_tensor())
    throw io::ModelFileError(file, avg ? "'latent_avg' is a " + avg->kind_name() + ", not a tensor"
                                       : "missing key 'latent_avg' (mean W, [" +
                                             std::to_string(net->style_dim()) + "])");
  if (avg->tensor.numel() != net->style_dim()) {
    std::ostringstream found;
    found << avg->tensor.sizes();
    throw io::ModelFileError(file, "key 'latent_avg': expected shape [" +
                                       std::to_string(net->style_dim()) + "], found " +
                                       found.str());
  }

  // The generator is never trained here: frozen weights keep renders from building graphs.
  for (auto& p : net->parameters()) p.requires_grad_(false);
  net->eval();
  net->to(dev.device, dev.dtype);
  torch::Tensor latent_avg = avg->tensor.reshape({net->style_dim()}).to(dev.device, dev.dtype);
  return {net, latent_avg, file};
}

}  // namespace deltaedit::nets
