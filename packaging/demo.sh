#!/usr/bin/env bash
# Install, build, and run the main job on the bundled default model folder: check the models
# and, when they are all there, open the studio (or, without a display, edit the sample photo
# with the CLI).
set -euo pipefail
cd "$(dirname "$0")/.."
JOBS=${JOBS:-$(nproc)}

bash packaging/install-deps.sh
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j "$JOBS" --target deltaedit deltaedit-studio

models=$( (build/app/deltaedit models check || true) | sed -n "s/^models folder: //p")
if ! build/app/deltaedit models check; then
  echo "The model folder $models is incomplete (see above and models/README.md)."
  exit 3
fi
sample="$models/sample.png"
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec build/app/deltaedit-studio "$sample" --aligned
fi
mkdir -p out
build/app/deltaedit edit "$sample" --aligned --target "face with long hair" -o out/sample_long_hair.png --overwrite
echo "wrote out/sample_long_hair.png"
