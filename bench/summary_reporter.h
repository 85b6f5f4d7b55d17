#pragma once
// Collects the benchmark runs, then prints the ratio table against the targets and
// writes it as JSON.
#include <map>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>

#include "bench/photo_path.h"

namespace deltaedit::bench {

struct MachineInfo {
  std::string cpu, blas, manifests;
  int threads = 0;
  double fma_peak_gflops = 0;
  bool bf16 = false;
};

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override;

  // The table (stdout) and the JSON file, from what was collected plus the photo-path children.
  void summarize(const MachineInfo& machine, const PhotoPathResult* baseline,
                 const PhotoPathResult* fast, const std::string& json_path) const;

 private:
  struct Case {
    double ms = 0;
    std::map<std::string, double> counters;
  };
  std::map<std::string, Case> cases_;  // by benchmark name without "BM_"
};

}  // namespace deltaedit::bench
