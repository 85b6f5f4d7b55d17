#include "core/nets/common/device.h"

#include <stdexcept>

namespace deltaedit::nets {

std::string ComputeDevice::describe() const {
  std::string dt = dtype == torch::kFloat16 ? "float16" : dtype == torch::kBFloat16 ? "bfloat16" : "float32";
  if (device.is_cuda()) return "CUDA:" + std::to_string(device.index() < 0 ? 0 : device.index()) + " (" + dt + ")";
  return "CPU (" + dt + ", " + std::to_string(torch::get_num_threads()) + " threads)";
}

ComputeDevice choose_device(std::string_view request) {
  ComputeDevice d;
  const bool cuda = torch::cuda::is_available();
  if (request == "auto" || request.empty()) {
    if (cuda) d = {torch::Device(torch::kCUDA, 0), torch::kFloat16, false};
    return d;
  }
  if (request == "cpu") return d;
  if (request.rfind("cuda", 0) == 0) {
    if (!cuda) throw std::invalid_argument("device '" + std::string(request) + "': CUDA is not available in this build or on this machine");
    torch::Device dev{std::string(request)};
    if (dev.index() >= static_cast<int>(torch::cuda::device_count()))
      throw std::invalid_argument("device '" + std::string(request) + "': no such CUDA device");
    return {dev, torch::kFloat16, false};
  }
  throw std::invalid_argument("unknown device '" + std::string(request) + "' (use auto, cpu, cuda or cuda:N)");
}

}  // namespace deltaedit::nets
