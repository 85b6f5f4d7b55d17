// load_clip / build_clip: file format detection, architecture inference, strict loading.
#include "core/nets/clip/clip_model.h"

#include "core/io/checkpoint_reader.h"
#include "core/io/torchscript_reader.h"
#include "core/nets/common/weights.h"

namespace deltaedit::nets {

const std::vector<std::string>& clip_archive_extra_keys() {
  // 0-dim entries of the released archives that build_model deletes; the same values are
  // inferred from the weights.
  static const std::vector<std::string> keys = {"input_resolution", "context_length",
                                                "vocab_size"};
  return keys;
}

ClipModel build_clip(const io::StateDict& weights, const ComputeDevice& dev) {
  ClipModel net(ClipModelImpl::infer_config(weights));
  // Weights are converted to float32 on copy: the fp16-stored layers of convert_weights are
  // computed in float32 on CPU, as clip.load does with .float().
  load_weights(*net, weights, clip_archive_extra_keys());
  net->to(dev.device, dev.dtype);
  net->eval();
  return net;
}

LoadedClip load_clip(const std::filesystem::path& file, const ComputeDevice& dev) {
  io::StateDict weights = io::is_torchscript_archive(file) ? io::load_torchscript_state_dict(file)
                                                           : io::load_state_dict(file);
  if (weights.source().empty()) weights.set_source(file);
  return {build_clip(weights, dev), file};
}

}  // namespace deltaedit::nets
