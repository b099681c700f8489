#!/usr/bin/env bash
# Runs voxflow's device checks from a bundle made by scripts/device-bundle.sh, on a GPU machine that has the NVIDIA
# driver, glibc and Python but none of Debian's libraries (docs/gpu-runbook.md). Every figure goes to $OUT, in at
# most eight files (what the device tool brings back):
#   summary.txt   the figures, one per line (also printed last)    log.txt      everything, in order
#   tests.tsv     test executable, exit code, tests, failures, s   equality.tsv case, map, voxels, max rel, over
#   bench.txt     voxflow-bench's lines                            big-run.txt  the 256x256x40x80 run
#   fatbin.txt    cuobjdump --list-elf --list-ptx of voxflow        results.tar.gz gtest XML, run records
# Usage: run-on-device.sh [PHASE...]   phases: info tests equality bench big (default: all, in that order; each
# later phase needs only the first, so a rerun can take the ones left).
# Environment: OUT (default ./device-out), VOXFLOW_DEVICE_WORK (default /tmp/voxflow-device), VOXFLOW_BACKEND
# (default device; host only to rehearse the script on a machine without a GPU), VOXFLOW_EQ_MATRIX (48,48,6),
# VOXFLOW_BENCH_VOXELS (1000000), VOXFLOW_BIG_MATRIX (256,256,40), VOXFLOW_TEST_TIMEOUT (s per test executable,
# 240), VOXFLOW_TOLERANCE (relative, 1e-10), VOXFLOW_DEADLINE_S (540: no step starts, and none runs on, past
# this many seconds, so that the device tool's 600 s limit never cuts the summary off).
set -uo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${OUT:-$PWD/device-out}
work=${VOXFLOW_DEVICE_WORK:-/tmp/voxflow-device}
backend=${VOXFLOW_BACKEND:-device}
eq_matrix=${VOXFLOW_EQ_MATRIX:-48,48,6}
bench_voxels=${VOXFLOW_BENCH_VOXELS:-1000000}
big_matrix=${VOXFLOW_BIG_MATRIX:-256,256,40}
test_timeout=${VOXFLOW_TEST_TIMEOUT:-240}
tolerance=${VOXFLOW_TOLERANCE:-1e-10}
deadline=$((SECONDS + ${VOXFLOW_DEADLINE_S:-540}))
phases=("$@")
[ ${#phases[@]} -eq 0 ] && phases=(info tests equality bench big)
mkdir -p "$OUT"

log() { echo "$*" | tee -a "$OUT/log.txt" >&2; }
figure() { echo "$*" | tee -a "$OUT/summary.txt" >>"$OUT/log.txt"; }
# run LABEL SECONDS COMMAND...: the command's output into log.txt, its exit code returned (124: out of time).
run() {
  local label=$1 seconds=$2
  shift 2
  local left=$((deadline - SECONDS - 5))
  if [ "$left" -lt 10 ]; then
    log "== $label: skipped, out of time (VOXFLOW_DEADLINE_S)"
    return 124
  fi
  [ "$seconds" -gt "$left" ] && seconds=$left
  log "== $label: $*"
  local start=$SECONDS rc
  timeout "$seconds" "$@" >>"$OUT/log.txt" 2>&1
  rc=$?
  log "== $label: exit $rc after $((SECONDS - start)) s"
  return $rc
}

# --- The bundle, unpacked and wired up -----------------------------------------------------------------------
log "voxflow device checks, $(date -u '+%Y-%m-%d %H:%M:%S UTC'), backend $backend, phases: ${phases[*]}"
rm -rf "$work" && mkdir -p "$work" && tar -xJf "$here/payload.tar.xz" -C "$work" || { log "cannot unpack $here/payload.tar.xz"; exit 3; }
# CUDA's toolkit libraries (cuBLAS, cuSPARSE, ...) are this machine's own, not carried (device-bundle.sh): from
# the toolkit beside nvcc, /usr/local/cuda, or the Python wheels of NVIDIA's libraries.
cuda_dirs=()
if command -v nvcc >/dev/null 2>&1; then cuda_dirs+=("$(dirname "$(command -v nvcc)")/../lib64"); fi
cuda_dirs+=(/usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib)
for d in $(python3 -c 'import glob, os, nvidia; print(" ".join(sorted({os.path.dirname(p) for r in nvidia.__path__ for p in glob.glob(os.path.join(r, "*", "lib", "lib*.so*"))})))' 2>/dev/null); do
  cuda_dirs+=("$d")
done
cuda_path=""
for d in "${cuda_dirs[@]}"; do [ -d "$d" ] && cuda_path+=":$d"; done
export LD_LIBRARY_PATH=$work/lib$cuda_path${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export VOXFLOW_REFERENCE_DIR=$work/reference
export OMP_NUM_THREADS=${OMP_NUM_THREADS:-$(nproc)}
# The test executables name the CLI and their helper programs by the build folder's absolute path (compiled in):
# the same path, made here, points into the bundle.
origin=$(cat "$work/BUILD_ORIGIN")
for d in bin tests; do
  if [ ! -e "$origin/$d" ]; then
    mkdir -p "$origin" && ln -s "$work/bin" "$origin/$d" && log "linked $origin/$d -> $work/bin"
  fi
done
bin=$work/bin
cat "$work/MANIFEST" >>"$OUT/log.txt"

# Every shared library must come from the bundle, except glibc's and the driver's (device-bundle.sh).
missing=$(for f in "$bin"/* "$work"/lib/*; do ldd "$f" 2>/dev/null | awk -v f="${f##*/}" '/not found/ {print f ": " $1}'; done | sort -u)
if [ -n "$missing" ]; then
  log "libraries not found:"$'\n'"$missing"
  figure "bundle: libraries missing (log.txt)"
  exit 3
fi
figure "bundle: $(ls "$bin" | wc -l) programs, $(ls "$work/lib" | wc -l) libraries, all resolved"
{ nvidia-smi -L; nvidia-smi --query-gpu=name,memory.total,driver_version,compute_cap --format=csv; } >>"$OUT/log.txt" 2>&1
if command -v cuobjdump >/dev/null; then
  cuobjdump --list-elf --list-ptx "$bin/voxflow" >"$OUT/fatbin.txt" 2>&1
  figure "device code in voxflow (cuobjdump): $(grep -o 'sm_[0-9]*\|compute_[0-9]*' "$OUT/fatbin.txt" | sort | uniq -c | tr -s ' \n' ' ')"
else
  python3 "$here/fatbin_contents.py" "$bin/voxflow" >"$OUT/fatbin.txt" 2>&1
  figure "device code in voxflow (fatbin headers; no cuobjdump here): $(tr '\n' ';' <"$OUT/fatbin.txt")"
fi

# --- info: the device, its memory, the capability the code was built for; a device that fails stops here ----
if ! run info 60 "$bin/voxflow" info; then
  figure "voxflow info FAILED: no CUDA device usable (Kokkos::initialize), see log.txt"
  exit 4
fi
"$bin/voxflow" info 2>&1 | grep -a -E '^(device|device code|warning)' | while read -r line; do figure "info: $line"; done

has() { local p; for p in "${phases[@]}"; do [ "$p" = "$1" ] && return 0; done; return 1; }
results=$work/results
mkdir -p "$results"

# --- tests: every test executable, host and device instantiations; the pipeline suite only where it names the
# device (its other cases run the CLI on the host, which CI covers) ----------------------------------------------
if has tests; then
  printf 'executable\texit\ttests\tfailures\tskipped\tseconds\n' >"$OUT/tests.tsv"
  for t in "$bin"/test_*; do
    name=${t##*/}
    filter='*'
    [ "$name" = test_pipeline ] && filter='*Cuda*:*Device*:*device*'
    start=$SECONDS
    run "$name" "$test_timeout" "$t" "--gtest_filter=$filter" --gtest_brief=1 "--gtest_output=xml:$results/$name.xml"
    rc=$?
    counts=$(python3 - "$results/$name.xml" <<'EOF'
import sys, xml.etree.ElementTree as ET
try:
    r = ET.parse(sys.argv[1]).getroot()
    print(r.get("tests"), r.get("failures"), r.get("skipped", r.get("disabled", "0")), sep="\t")
except Exception:
    print("?\t?\t?")
EOF
)
    printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$counts" "$((SECONDS - start))" >>"$OUT/tests.tsv"
  done
  figure "tests: $(awk -F'\t' 'NR>1 {n+=$3; f+=$4; if ($2!=0) bad=bad" "$1} END {print n " run, " f " failed" (bad ? ", failing executables:" bad : "")}' "$OUT/tests.tsv")"
fi

# --- equality: host and device runs of one simulated subject per model and stage, map by map ------------------
# simulate_case NAME MODALITY [simulate options...] -> a subject with uncompressed maps, no QC, no HDF5
simulate_case() {
  local name=$1 modality=$2
  shift 2
  local dir=$work/eq/$name
  "$bin/voxflow" simulate --out "$dir" "$modality" --matrix "$eq_matrix" "$@" >>"$OUT/log.txt" 2>&1 || return 1
  sed -i 's/^  dir: out$/  dir: out\n  compress: false\n  qc: false\n  hdf5: false/' "$dir/config.yaml"
}
# set_key CASE SECTION KEY VALUE: adds or replaces `KEY: VALUE` under `SECTION:` of the case's configuration.
set_key() {
  python3 - "$work/eq/$1/config.yaml" "$2" "$3" "$4" <<'EOF'
import re, sys
path, section, key, value = sys.argv[1:]
text = open(path).read()
if re.search(rf"^{section}:\n(  .*\n)*?  {key}:", text, re.M):
    text = re.sub(rf"(^{section}:\n(?:  .*\n)*?  {key}:).*", rf"\g<1> {value}", text, count=1, flags=re.M)
elif re.search(rf"^{section}:", text, re.M):
    text = re.sub(rf"^{section}:\n", f"{section}:\n  {key}: {value}\n", text, count=1, flags=re.M)
else:
    text += f"{section}:\n  {key}: {value}\n"
open(path, "w").write(text)
EOF
}
# A rehearsal (backend host) compares the host with Serial, so that every step runs.
partner=$backend
[ "$backend" = host ] && partner=serial
compare_case() {
  local name=$1 dir=$work/eq/$1 b
  for b in host "$partner"; do
    run "equality $name ($b)" 300 "$bin/voxflow" --backend "$b" run "$dir/config.yaml" --quiet --output "$dir/$b" || return 1
  done
  python3 "$here/compare_maps.py" "$name" "$dir/host" "$dir/$partner" "$tolerance" >>"$OUT/equality.tsv"
}
if has equality; then
  printf 'case\tmap\tvoxels\tmax_relative\tover_%s\n' "$tolerance" >"$OUT/equality.tsv"
  cases=()
  for model in tofts extended_tofts patlak 2cxm 2cum; do
    # signal from a VFA series: T1 mapping and signal -> concentration run before every fit
    simulate_case "dce-$model" dce --model "$model" --input vfa && cases+=("dce-$model")
    simulate_case "dce-$model-delay" dce --model "$model" --input vfa --tissue-delay 3 &&
      set_key "dce-$model-delay" fit fit_delay true && cases+=("dce-$model-delay")
  done
  simulate_case dce-aif-detect dce --model extended_tofts --input vfa && set_key dce-aif-detect aif source detect &&
    cases+=(dce-aif-detect)
  for method in t1-linear t1-two_point; do
    simulate_case "dce-$method" dce --model tofts --input vfa && set_key "dce-$method" t1_mapping method "${method#t1-}" &&
      cases+=("dce-$method")
  done
  for modality in dsc ivim asl; do simulate_case "$modality" "$modality" && cases+=("$modality"); done
  failed=()
  for c in "${cases[@]}"; do compare_case "$c" || failed+=("$c"); done
  over=$(awk -F'\t' 'NR>1 && $5!=0 {print $1 ":" $2}' "$OUT/equality.tsv" | tr '\n' ' ')
  worst=$(awk -F'\t' 'NR>1 && $4!="nan" && $4+0>w {w=$4+0} END {printf "%.3e", w}' "$OUT/equality.tsv")
  figure "equality: ${#cases[@]} cases, max relative difference $worst, maps over $tolerance: ${over:-none}${failed:+, failed runs: ${failed[*]}}"
fi

# --- bench: kernel times of every model on the device -----------------------------------------------------------
if has bench; then
  # bench KIND OPTIONS...: every result line of the run (KIND model=...) into bench.txt
  bench() {
    local before
    before=$(wc -l <"$OUT/log.txt")
    run "bench $*" 180 "$bin/voxflow-bench" "$@" --backend "$backend"
    tail -n +$((before + 1)) "$OUT/log.txt" | grep -a "^$1 model=" >>"$OUT/bench.txt"
  }
  for model in extended_tofts tofts patlak 2cxm 2cum; do bench dce --model "$model" --voxels "$bench_voxels" --frames 80 --repeats 5; done
  bench dce --model extended_tofts --fit-delay --voxels "$bench_voxels" --frames 80 --repeats 5
  bench t1 --voxels "$bench_voxels" --repeats 3
  bench ivim --repeats 3
  bench dsc --repeats 3
  bench asl --repeats 3
  bench lm --repeats 3
  et=$(grep -m1 '^dce model=extended_tofts ' "$OUT/bench.txt" | grep -o 'best_s=[0-9.e+-]*' | cut -d= -f2)
  figure "bench: extended Tofts, $bench_voxels voxels, T=80: best ${et:-?} s per fit (goal <= 0.010 s); all lines in bench.txt"
fi

# --- big: one whole run of a 256x256x40x80 subject, stage wall times and the device memory peak --------------
if has big; then
  big=$work/big
  if run "big: simulate $big_matrix x 80" 600 "$bin/voxflow" simulate --out "$big" dce --model extended_tofts \
    --input vfa --matrix "$big_matrix" --frames 80; then
    sampler=
    if command -v nvidia-smi >/dev/null; then
      nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits -lms 100 >"$work/memory.csv" 2>/dev/null &
      sampler=$!
    fi
    start=$SECONDS
    timeout $((deadline - SECONDS > 10 ? deadline - SECONDS : 10)) \
      "$bin/voxflow" --backend "$backend" run "$big/config.yaml" --output "$big/out" >"$OUT/big-run.txt" 2>&1
    rc=$?
    [ -n "$sampler" ] && { kill "$sampler"; wait "$sampler" 2>/dev/null; }
    cat "$OUT/big-run.txt" >>"$OUT/log.txt"
    figure "big run: exit $rc, $((SECONDS - start)) s wall; $(grep -a -o '[0-9]* voxels fitted.*s)' "$OUT/big-run.txt" | tail -n 1)"
    if [ -s "$work/memory.csv" ]; then
      figure "big run: device memory used, MiB: before $(head -n 1 "$work/memory.csv"), peak $(sort -n "$work/memory.csv" | tail -n 1) (nvidia-smi every 100 ms)"
    fi
    find "$big/out" -name '*_run.json' -exec cp {} "$results/" \;
  fi
fi

tar -czf "$OUT/results.tar.gz" -C "$work" results 2>/dev/null
log "done: $(date -u '+%H:%M:%S UTC')"
cat "$OUT/summary.txt"
