#!/usr/bin/env bash
# The whole test suite from a fresh Debian 12 machine: install dependencies, build (main,
# sanitizer and fuzzer builds), run every test with CTest. CTest's summary ends the output.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
JOBS=${JOBS:-$(nproc)}

bash packaging/install-deps.sh

# The checkpoint reader again under AddressSanitizer + UndefinedBehaviorSanitizer.
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DDELTAEDIT_SANITIZE=ON \
  -DDELTAEDIT_NETWORKS_ONLY=ON -DDELTAEDIT_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$JOBS" --target test_io

# libFuzzer target for the reader (clang).
cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Release -DDELTAEDIT_FUZZ=ON \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ -DDELTAEDIT_NETWORKS_ONLY=ON \
  -DDELTAEDIT_BUILD_TESTS=OFF -DDELTAEDIT_BUILD_BENCH=OFF >/dev/null
cmake --build build-fuzz -j "$JOBS" --target checkpoint_fuzzer

# Everything else; its CTest also runs the sanitizer tests and a short fuzz session.
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DDELTAEDIT_ASAN_BUILD_DIR="$ROOT/build-asan" -DDELTAEDIT_FUZZ_BUILD_DIR="$ROOT/build-fuzz" >/dev/null
cmake --build build -j "$JOBS"

export QT_QPA_PLATFORM=offscreen
ctest --test-dir build --output-on-failure -j "$JOBS" --timeout 1500
