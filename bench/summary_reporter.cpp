#include "bench/summary_reporter.h"

#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

namespace deltaedit::bench {

void SummaryReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& r : runs) {
    if (r.error_occurred) continue;
    std::string name = r.benchmark_name();
    if (name.rfind("BM_", 0) == 0) name = name.substr(3);
    if (auto slash = name.find('/'); slash != std::string::npos) name = name.substr(0, slash);
    Case c;
    c.ms = r.GetAdjustedRealTime();  // per iteration, in the benchmark's unit (ms)
    for (const auto& [k, v] : r.counters) c.counters[k] = v.value;
    cases_[name] = c;
  }
}

void SummaryReporter::summarize(const MachineInfo& m, const PhotoPathResult* base_photo,
                                const PhotoPathResult* fast_photo,
                                const std::string& json_path) const {
  nlohmann::json out;
  out["machine"] = {{"cpu", m.cpu},           {"blas", m.blas},
                    {"threads", m.threads},   {"fma_peak_gflops", m.fma_peak_gflops},
                    {"bf16", m.bf16},         {"manifests", m.manifests}};
  for (const auto& [name, c] : cases_) {
    out["cases"][name]["ms"] = c.ms;
    for (const auto& [k, v] : c.counters) out["cases"][name][k] = v;
  }
  struct Row {
    std::string what, target;
    double value = 0;
    bool met = false;
    bool known = false;
  };
  std::vector<Row> rows;
  auto ms = [&](const std::string& n) { auto it = cases_.find(n); return it == cases_.end() ? 0.0 : it->second.ms; };
  auto counter = [&](const std::string& n, const std::string& k) {
    auto it = cases_.find(n);
    if (it == cases_.end()) return 0.0;
    auto jt = it->second.counters.find(k);
    return jt == it->second.counters.end() ? 0.0 : jt->second;
  };
  auto add = [&](std::string what, std::string target, double v, bool ok, bool known) {
    rows.push_back({std::move(what), std::move(target), v, ok, known});
  };
  const double base = ms("render_1024_baseline"), fast = ms("render_1024_fast");
  add("1024 render, fp32 fast path: speed-up", ">= 2x", base / fast, base / fast >= 2, base && fast);
  add("1024 render, best path (bf16 " + std::string(m.bf16 ? "available" : "not on this CPU") + ")",
      ">= 4x", base / fast, base / fast >= 4, base && fast);
  const double gflops = counter("render_1024_fast", "GFLOP/s") / 1e9;
  add("1024 render, fast: fraction of measured FMA peak", "report", gflops / m.fma_peak_gflops,
      true, gflops > 0 && m.fma_peak_gflops > 0);
  const double slider = ms("slider_to_preview_interpolated");
  add("slider move -> 256 preview (cached neighbours) / baseline 1024", "<= 0.1", slider / base,
      slider / base <= 0.1, slider && base);
  const double slider_exact = ms("slider_to_preview_exact");
  add("slider move -> 256 preview (exact render) / baseline 1024", "report", slider_exact / base,
      true, slider_exact && base);
  const double psnr = counter("slider_to_preview_interpolated", "psnr_dB_vs_exact");
  add("interpolated preview vs exact, PSNR dB", "report", psnr, true, psnr > 0);
  const double tb = ms("text_direction_baseline"), tf = ms("text_direction_fast");
  add("new prompt -> text direction: speed-up", ">= 20x", tb / tf, tb / tf >= 20, tb && tf);
  const double err = counter("clip_resample_1024_fast", "max_err");
  add("CLIP resampling max error", "<= 1e-6", err, err <= 1e-6, cases_.count("clip_resample_1024_fast"));
  const double mem_b = counter("clip_resample_1024_baseline", "extra_MB");
  const double mem_f = counter("clip_resample_1024_fast", "extra_MB");
  add("CLIP resampling memory / baseline", "<= 0.01", mem_f / mem_b, mem_f / mem_b <= 0.01, mem_b > 0);
  if (base_photo && fast_photo) {
    const double r = base_photo->seconds / fast_photo->seconds;
    add("photo -> first edited 1024 frame: speed-up", ">= 4x", r, r >= 4, true);
    const double p = double(fast_photo->peak_bytes) / double(base_photo->peak_bytes);
    add("photo path peak RSS / baseline", "<= 0.5", p, p <= 0.5, true);
    add("photo path: float16-stored weights vs float32, frame PSNR dB", "report",
        fast_photo->half_weights_psnr, true, true);
    add("photo path: float16-stored / float32 weights, time", "report",
        fast_photo->seconds / fast_photo->full_weights_seconds, true, true);
    out["photo_path"] = {{"baseline_s", base_photo->seconds},
                         {"fast_s", fast_photo->seconds},
                         {"baseline_peak_MB", base_photo->peak_bytes / 1e6},
                         {"fast_peak_MB", fast_photo->peak_bytes / 1e6},
                         {"models_MB", fast_photo->models_bytes / 1e6},
                         {"baseline_models_MB", base_photo->models_bytes / 1e6},
                         {"half_weights_frame_psnr_dB", fast_photo->half_weights_psnr},
                         {"fast_full_weights_s", fast_photo->full_weights_seconds}};
  }

  std::printf("\n%s\nBLAS: %s, %d threads, measured FMA peak %.1f GFLOP/s, %s\n\n", m.cpu.c_str(),
              m.blas.c_str(), m.threads, m.fma_peak_gflops, m.manifests.c_str());
  std::printf("%-58s %10s %10s  %s\n", "ratio (same run)", "value", "target", "");
  for (const Row& r : rows) {
    std::printf("%-58s %10.4g %10s  %s\n", r.what.c_str(), r.value, r.target.c_str(),
                !r.known ? "not measured" : r.met ? "met" : "NOT met");
    out["ratios"].push_back({{"what", r.what}, {"value", r.known ? r.value : 0.0},
                             {"target", r.target}, {"met", r.known && r.met}});
  }
  std::ofstream(json_path) << out.dump(2) << "\n";
  std::printf("\nwritten: %s\n", json_path.c_str());
}

}  // namespace deltaedit::bench
