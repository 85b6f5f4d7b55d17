#include "bench/photo_path.h"

#include <malloc.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <stdexcept>

#include "bench/memory_probe.h"
#include "bench/official_models.h"
#include "bench/reference_ops.h"
#include "core/nets/clip/clip_resample.h"
#include "core/nets/e4e/e4e_input.h"
#include "core/nets/mapper/relevance_mask.h"

namespace deltaedit::bench {

PhotoPathResult run_photo_path(bool fast) {
  torch::NoGradGuard no_grad;
  torch::manual_seed(11);
  auto& g = official_generator();
  auto& e4e = official_e4e();
  auto& clip = official_clip();
  auto& mapper = official_mapper();
  const torch::Tensor fs3 = torch::randn({g->s_dim(), clip->embed_dim()}) * 0.05;
  torch::Tensor dt_raw = torch::randn({clip->embed_dim()}) * 0.1;  // a cached text direction
  const torch::Tensor dt = dt_raw / dt_raw.norm();
  PhotoPathResult result;
  g->set_render_path(fast ? nets::RenderPath::kFast : nets::RenderPath::kReference);

  auto photo_to_frame = [&](const torch::Tensor& face_hwc) {
    const torch::Tensor x = nets::e4e_input_from_rgb8(face_hwc);          // [1, 3, 256, 256]
    const torch::Tensor wplus = nets::invert_to_wplus(e4e, x);            // [1, 18, 512]
    const torch::Tensor s = g->w_to_s(wplus);                             // [1, 6048]
    const int64_t k = nets::deltaedit_resample_kernel(x.size(-1));
    const torch::Tensor clip_in = fast ? nets::deltaedit_resample(x, k) : reference_resample(x, k);
    torch::Tensor c = clip->encode_image(clip_in);                        // [1, 512]
    c = c / c.norm(2, -1, true);
    torch::Tensor ds = mapper->forward(s, torch::cat({c, dt.view({1, -1})}, 1));  // [1, 6048]
    ds = nets::mask_delta_s(ds, nets::keep_mask(fs3, dt_raw, 0.03));
    const torch::Tensor img = g->synthesize_s(s + ds, wplus);            // [1, 3, 1024, 1024]
    return ((img.clamp(-1, 1) + 1) * 127.5).round().to(torch::kUInt8);
  };
  const torch::Tensor warm_face = torch::randint(0, 256, {1024, 1024, 3}, torch::kUInt8);
  const torch::Tensor face = torch::randint(0, 256, {1024, 1024, 3}, torch::kUInt8);
  torch::Tensor full_weights_frame;
  if (fast) {
    photo_to_frame(warm_face);  // warm-up
    const auto t0 = std::chrono::steady_clock::now();
    full_weights_frame = photo_to_frame(face);
    result.full_weights_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // What EditEngine does on CPU (ComputeDevice::half_stored_weights).
    e4e.net->store_weights_in_half();
    clip->store_weights_in_half();
    mapper->store_weights_in_half();
  }
  ::malloc_trim(0);  // the float32 weights just dropped, and the full-weights frame's buffers
  reset_peak_resident();
  result.models_bytes = resident_bytes();
  photo_to_frame(warm_face);  // warm-up
  const auto t0 = std::chrono::steady_clock::now();
  const torch::Tensor frame = photo_to_frame(face);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  result.peak_bytes = peak_resident_bytes();
  if (fast) {
    const double mse = (frame.to(torch::kFloat64) - full_weights_frame.to(torch::kFloat64))
                           .pow(2).mean().item<double>();
    result.half_weights_psnr = mse > 0 ? 10 * std::log10(255.0 * 255.0 / mse) : 999.0;
  }
  return result;
}

int photo_path_child_main(bool fast) {
  const PhotoPathResult r = run_photo_path(fast);
  std::cout << "photo_path " << r.seconds << ' ' << r.peak_bytes << ' ' << r.models_bytes << ' '
            << r.half_weights_psnr << ' ' << r.full_weights_seconds << std::endl;
  return 0;
}

PhotoPathResult run_photo_path_in_child(const std::string& exe, bool fast) {
  const std::string cmd = exe + " --photo-path=" + (fast ? "fast" : "baseline");
  FILE* pipe = ::popen(cmd.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + cmd);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe)) out += buf;
  const int status = ::pclose(pipe);
  const size_t line = out.find("photo_path");
  std::istringstream in(out.substr(line == std::string::npos ? 0 : line));
  std::string tag;
  PhotoPathResult r;
  if (status != 0 || !(in >> tag >> r.seconds >> r.peak_bytes >> r.models_bytes >> r.half_weights_psnr >> r.full_weights_seconds) || tag != "photo_path")
    throw std::runtime_error(cmd + " failed: " + out);
  return r;
}

}  // namespace deltaedit::bench
