#!/usr/bin/env bash
# The official schema-based BIDS validator on a dataset: scripts/bids-validator.sh DATASET [--json ...].
# It is the one the npm package bids-validator bundles (its legacy CLI has no derivative rules), run by
# Node.js through scripts/bids_validator_node.mjs. Both npm packages are installed, pinned, into the
# dependency cache (VOXFLOW_DEPS, default ~/.cache/voxflow) on first use. Exit status: the validator's
# (0: no error).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${VOXFLOW_DEPS:-$HOME/.cache/voxflow}/bids-validator-1.15.0
if [ ! -f "$dir/node_modules/bids-validator/dist/validator/bids-validator.js" ] ||
   [ ! -f "$dir/node_modules/@deno/shim-deno/dist/index.mjs" ]; then
  command -v npm >/dev/null || { echo "bids-validator.sh: npm (Node.js) is needed to install the validator" >&2; exit 127; }
  mkdir -p "$dir"
  echo "bids-validator.sh: installing bids-validator 1.15.0 into $dir" >&2
  (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --prefix "$dir" \
     bids-validator@1.15.0 @deno/shim-deno@0.19.2 >&2)
fi
VOXFLOW_BIDS_VALIDATOR_DIR=$dir exec node "$root/scripts/bids_validator_node.mjs" "$@"
