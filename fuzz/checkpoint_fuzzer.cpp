// libFuzzer entry: arbitrary bytes through the zip container parser of the checkpoint reader
// (the torch-free part; see CMakeLists.txt). Anything but a result or a ModelFileError (a
// crash, a sanitizer report, another exception) is a finding.
#include <cstddef>
#include <cstdint>

#include "core/io/model_file_error.h"
#include "core/io/zip_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const auto bytes = deltaedit::io::FileBytes::copy_of({data, size}, "fuzz.pt");
  try {
    const deltaedit::io::ZipArchive zip(bytes);
    uint64_t sum = 0;
    for (const auto& name : zip.names()) {
      try {
        // Every byte of every record is read, so an out-of-bounds span shows up under ASan.
        for (uint8_t b : zip.record(name)) sum += b;
      } catch (const deltaedit::io::ModelFileError&) {
      }
    }
    (void)zip.has("data.pkl");
    static volatile uint64_t sink;
    sink = sum;
  } catch (const deltaedit::io::ModelFileError&) {
  }
  return 0;
}
