// Reading a ~300 MB checkpoint written by our writer: our reader (mmap + views; all pages then
// touched so the lazy mapping pays its page faults) against the floor of getting the same bytes,
// read() into a buffer and mmap + touch. Ratios are reported as counters. The file is in the
// page cache after writing, so this measures the reader's overhead, not the disk.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <vector>

#include <benchmark/benchmark.h>

#include "core/io/checkpoint_reader.h"
#include "core/io/checkpoint_writer.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr int64_t kTensors = 75;
constexpr int64_t kFloatsPerTensor = 1 << 20;  // 4 MiB each, 300 MiB in all

const fs::path& bench_checkpoint() {
  static fs::path path;
  static std::once_flag once;
  std::call_once(once, [] {
    const fs::path dir = fs::temp_directory_path() / ("deltaedit_io_bench_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    path = dir / "big.pt";
    deltaedit::io::StateDict sd;
    for (int64_t i = 0; i < kTensors; ++i)
      sd.add("layer" + std::to_string(i) + ".weight", torch::randn({1024, kFloatsPerTensor / 1024}));
    deltaedit::io::save_state_dict(path, sd);
    std::atexit([] { fs::remove_all(path.parent_path()); });
  });
  return path;
}

uint64_t touch_pages(const uint8_t* p, std::size_t n) {
  uint64_t sum = 0;
  for (std::size_t i = 0; i < n; i += 4096) sum += p[i];
  return sum;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double our_reader(const fs::path& path) {
  const auto t0 = Clock::now();
  const auto sd = deltaedit::io::load_state_dict(path);
  uint64_t sum = 0;
  for (const auto& [name, t] : sd.entries())
    sum += touch_pages(static_cast<const uint8_t*>(t.data_ptr()), t.numel() * t.element_size());
  benchmark::DoNotOptimize(sum);
  return seconds_since(t0);
}

double plain_read(const fs::path& path, std::vector<uint8_t>& buffer) {
  const auto t0 = Clock::now();
  const int fd = ::open(path.c_str(), O_RDONLY);
  std::size_t got = 0;
  while (got < buffer.size()) {
    const ssize_t r = ::read(fd, buffer.data() + got, buffer.size() - got);
    if (r <= 0) break;
    got += static_cast<std::size_t>(r);
  }
  ::close(fd);
  benchmark::DoNotOptimize(buffer.data());
  return seconds_since(t0);
}

double map_and_touch(const fs::path& path, std::size_t size) {
  const auto t0 = Clock::now();
  const int fd = ::open(path.c_str(), O_RDONLY);
  void* p = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
  ::close(fd);
  benchmark::DoNotOptimize(touch_pages(static_cast<const uint8_t*>(p), size));
  ::munmap(p, size);
  return seconds_since(t0);
}

void BM_CheckpointRead300MB(benchmark::State& state) {
  const fs::path& path = bench_checkpoint();
  const std::size_t size = fs::file_size(path);
  std::vector<uint8_t> buffer(size);
  double ours = 0, read_s = 0, map_s = 0;
  for (auto _ : state) {
    const double t = our_reader(path);
    state.SetIterationTime(t);
    ours += t;
    read_s += plain_read(path, buffer);
    map_s += map_and_touch(path, size);
  }
  const double n = static_cast<double>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(size) * state.iterations());
  state.counters["file_MB"] = static_cast<double>(size) / 1e6;
  state.counters["read_ms"] = 1e3 * read_s / n;
  state.counters["mmap_touch_ms"] = 1e3 * map_s / n;
  state.counters["ratio_vs_read"] = ours / read_s;
  state.counters["ratio_vs_mmap_touch"] = ours / map_s;
}
BENCHMARK(BM_CheckpointRead300MB)->UseManualTime()->Unit(benchmark::kMillisecond)->MinTime(2.0);

}  // namespace
