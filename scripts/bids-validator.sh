#!/usr/bin/env bash
# The official schema-based BIDS validator on a dataset: scripts/bids-validator.sh DATASET [--json ...].
# It is the one the npm package bids-validator bundles (its legacy CLI has no derivative rules), run by
# Node.js through scripts/bids_validator_node.mjs. Both npm packages are installed, pinned, into the
# dependency cache (VOXFLOW_DEPS, default ~/.cache/voxflow) on first use. Exit status: the validator's
# (0: no error).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
dir=${VOXFLOW_DEPS:-$HOME/.cache/voxflow}/bids-validator-1.15.0
installed() {
  [ -f "$dir/node_modules/bids-validator/dist/validator/bids-validator.js" ] &&
    [ -f "$dir/node_modules/@deno/shim-deno/dist/index.mjs" ]
}
if ! installed; then
  command -v npm >/dev/null || { echo "bids-validator.sh: npm (Node.js) is needed to install the validator" >&2; exit 127; }
  mkdir -p "$dir"
  # One install at a time: the test suite's validator tests run in parallel and, on a fresh machine, each
  # started its own npm install into the same folder, and all but one failed.
  exec 9>"$dir.lock"
  flock 9
  if ! installed; then
    echo "bids-validator.sh: installing bids-validator 1.15.0 into $dir" >&2
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --prefix "$dir" \
       bids-validator@1.15.0 @deno/shim-deno@0.19.2 >&2)
  fi
  exec 9>&-
fi
VOXFLOW_BIDS_VALIDATOR_DIR=$dir exec node "$root/scripts/bids_validator_node.mjs" "$@"
