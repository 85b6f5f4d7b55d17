// The bench program: the interactive-speed cases at the official sizes (random weights) with
// their same-run baselines, the checkpoint reader, and a summary of ratios against the targets.
//   bench [--summary-json=FILE] [--no-photo-path] [Google Benchmark flags, e.g.
//          --benchmark_filter=render --benchmark_out=runs.json]
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <thread>
#include <iostream>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <torch/torch.h>

#include "bench/fma_peak.h"
#include "bench/official_models.h"
#include "bench/photo_path.h"
#include "bench/summary_reporter.h"
#include "core/nets/common/blas_check.h"

int main(int argc, char** argv) {
  using namespace deltaedit::bench;
  torch::globalContext().setFlushDenormal(true);
  if (const char* env = std::getenv("DELTAEDIT_THREADS"); env && std::atoi(env) > 0)
    torch::set_num_threads(std::atoi(env));
  else
    torch::set_num_threads(int(std::thread::hardware_concurrency()));
  std::string summary = "bench_summary.json";
  bool photo = true;
  std::vector<char*> rest{argv[0]};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--photo-path=fast" || a == "--photo-path=baseline")
      return photo_path_child_main(a.ends_with("fast"));
    if (a.rfind("--summary-json=", 0) == 0)
      summary = a.substr(15);
    else if (a == "--no-photo-path")
      photo = false;
    else
      rest.push_back(argv[i]);
  }
  int n = int(rest.size());
  benchmark::Initialize(&n, rest.data());

  MachineInfo machine;
  machine.cpu = cpu_description();
  const auto blas = deltaedit::nets::active_blas();
  machine.blas = blas.name + (blas.library.empty() ? "" : " (" + blas.library + ")");
  machine.threads = torch::get_num_threads();
  machine.fma_peak_gflops = measured_fma_peak_gflops(machine.threads);
  machine.bf16 = cpu_has_bf16();
  machine.manifests = manifest_check();
  std::cout << machine.cpu << "\nBLAS " << machine.blas << ", " << machine.threads
            << " threads, FMA peak " << machine.fma_peak_gflops << " GFLOP/s\n"
            << "official shapes: " << machine.manifests << "\n";

  PhotoPathResult base_photo, fast_photo;
  if (photo) {
    try {
      const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
      base_photo = run_photo_path_in_child(self, false);
      fast_photo = run_photo_path_in_child(self, true);
      std::cout << "photo -> frame: baseline " << base_photo.seconds << " s (peak "
                << base_photo.peak_bytes / 1e6 << " MB), fast " << fast_photo.seconds
                << " s (peak " << fast_photo.peak_bytes / 1e6 << " MB)\n";
    } catch (const std::exception& e) {
      std::cerr << e.what() << "\n";
      photo = false;
    }
  }
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.summarize(machine, photo ? &base_photo : nullptr, photo ? &fast_photo : nullptr, summary);
  benchmark::Shutdown();
  return 0;
}
