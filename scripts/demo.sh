#!/usr/bin/env bash
# The README's main job on a fresh machine: builds whatever is missing, then shows what this build of voxflow is and
# how fast its fitting core runs on generated data. (The full DCE pipeline on a simulated subject replaces the
# benchmark part once `voxflow simulate` and `voxflow run` land.)
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$("$root/scripts/build.sh" | tail -n 1)
echo "== voxflow info"
"$build/bin/voxflow" info
echo
echo "== voxflow-bench lm: 100,000 synthetic voxels, 80 frames, 1 % noise, 1 and 2 threads"
"$build/bin/voxflow-bench" lm --voxels 100000 --frames 80 --noise 0.01 --threads 1,2
