#pragma once
// Where the networks run: chosen at run time ("auto" = CUDA when present, else CPU). Half
// precision on CUDA, float32 on CPU.
#include <string>
#include <string_view>

#include <torch/torch.h>

namespace deltaedit::nets {

struct ComputeDevice {
  torch::Device device = torch::kCPU;
  torch::ScalarType dtype = torch::kFloat32;
  // CPU: the edit engine keeps the large weight matrices of e4e, CLIP and the mapper in float16
  // (half_storage.h), computing in float32. Off: every weight as loaded.
  bool half_stored_weights = true;

  bool is_cuda() const { return device.is_cuda(); }
  // "CPU (float32, 2 threads)" / "CUDA:0 NVIDIA H200 (float16)"
  std::string describe() const;
};

// request: "auto", "cpu", "cuda" or "cuda:N". Throws std::invalid_argument for an unknown
// request or an unavailable CUDA device.
ComputeDevice choose_device(std::string_view request = "auto");

}  // namespace deltaedit::nets
