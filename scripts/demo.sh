#!/usr/bin/env bash
# The README's main job on a fresh machine: builds whatever is missing, simulates a DCE subject with known truth
# (50x50x20 voxels, 80 frames), fits it with `voxflow run`, and prints where the maps and the QC image are.
#   scripts/demo.sh --validate   also checks the output dataset with the official BIDS validator
#                                (scripts/bids-validator.sh; needs Node.js/npm), printing errors only;
#                                any error fails the demo
# Environment: DEMO_DIR (default build/demo) is where the subject and its outputs go.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
validate=false
for arg in "$@"; do
  case "$arg" in
    --validate) validate=true ;;
    *) echo "demo.sh: unknown argument '$arg' (expected --validate)" >&2; exit 2 ;;
  esac
done
build=$("$root/scripts/build.sh" | tail -n 1)
demo=${DEMO_DIR:-$build/demo}
rm -rf "$demo"
echo "== voxflow info"
"$build/bin/voxflow" info
echo
echo "== simulate a DCE subject (extended Tofts, 1 % noise) into $demo"
"$build/bin/voxflow" simulate dce --out "$demo" --matrix 50,50,20 --frames 80 --noise 0.01
echo
echo "== voxflow run $demo/config.yaml"
"$build/bin/voxflow" run "$demo/config.yaml"
echo
maps=$(find "$demo/out" -name '*.nii.gz' | sort)
echo "maps:"
echo "$maps" | sed 's/^/  /'
qc=$(find "$demo/out" -name '*qc.png' | head -n 1)
[ -n "$qc" ] && echo "QC image: $qc"
echo "truth for comparison: $demo/truth_*.nii.gz"
if [ "$validate" = true ]; then
  echo
  echo "== BIDS validator on $demo/out"
  "$root/scripts/bids-validator.sh" "$demo/out" --ignoreWarnings
fi
