#!/usr/bin/env bash
# Installs every build, run and test dependency of DeltaEdit Studio from Debian 12 packages.
# Idempotent: does nothing (and needs no network) when everything is already installed.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  clang libclang-rt-14-dev                       # libFuzzer + sanitizer runtimes
  libtorch-dev                                   # LibTorch (CPU) 1.13
  libopenblas0-openmp                            # optimized BLAS on LibTorch's OpenMP threads
  qt6-base-dev qt6-base-dev-tools libqt6test6    # Qt 6 Widgets + QtTest
  libopencv-dev libeigen3-dev
  libdlib-dev libdlib-data                       # dlib + the 68-landmark predictor
  libicu-dev zlib1g-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  xvfb xauth                                     # GUI screenshots under a virtual display
  python3-torch python3-numpy                    # only for cross-checking our files load in PyTorch
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"

if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# Debian's LibTorch calls BLAS through the libblas.so.3 alternative; the reference (netlib)
# implementation makes linear layers 10-20x slower. Point the alternative at OpenBLAS, and at
# its OpenMP build: it runs on the same OpenMP threads as LibTorch, whereas the pthread build's
# own workers compete with LibTorch's spinning OpenMP threads for the cores (a new prompt's text
# direction took 1.26 s with it, 0.46 s with the OpenMP build, on 2 cores).
arch_triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || echo x86_64-linux-gnu)
# All three alternatives, or a pthread libopenblas.so.0 would serve the OpenMP libblas.so.3.
for lib in libblas.so.3 liblapack.so.3 libopenblas.so.0; do
  target="/usr/lib/${arch_triplet}/openblas-openmp/${lib}"
  [ -e "$target" ] || continue
  current=$(readlink -f "/usr/lib/${arch_triplet}/${lib}" || true)
  if [ "$current" != "$(readlink -f "$target")" ]; then
    $SUDO update-alternatives --set "${lib}-${arch_triplet}" "$target" >/dev/null
    echo "install-deps: ${lib} -> OpenBLAS (OpenMP)"
  fi
done
echo "install-deps: all dependencies present"
