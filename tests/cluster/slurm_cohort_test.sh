#!/usr/bin/env bash
# The cluster/ templates on a real Slurm: starts a single-node Slurm (scripts/slurm-local.sh), simulates a
# small DCE cohort with `voxflow simulate dce`, and submits with sbatch
#   1. the job-array template, one subject per task, one subject's mask missing: the three good tasks end
#      0:0, the bad one 7:0 (completed with failures), and the shared ledger has one row per subject;
#   2. that one task again with --resume once its mask is back: every row `done`, the others untouched;
#   3. a larger subject's task stopped by SIGTERM (scancel --signal=TERM) mid-run: exit 143, its row left
#      `running`, no temporary file left; the task again with --resume: `done`;
#   4. the MPI template (2 ranks) on the whole cohort into another folder: every row `done`, and each
#      subject's Ktrans map byte-identical to the array run's;
# then stops Slurm. Every template also passes `bash -n`.
#
#   slurm_cohort_test.sh VOXFLOW_EXECUTABLE SOURCE_DIR
#
# Exit status: 0 passed, 1 failed, 77 skipped (ctest SKIP_RETURN_CODE): only outside CI, only when the Slurm
# packages are not installed. With CI=true a Slurm that cannot be installed or started fails the test.
set -euo pipefail

# Absolute paths: the jobs run in the test's own folder.
voxflow=$(realpath "${1:?usage: slurm_cohort_test.sh VOXFLOW SOURCE_DIR}")
src=$(realpath "${2:?usage: slurm_cohort_test.sh VOXFLOW SOURCE_DIR}")
work=$(mktemp -d "${TMPDIR:-/tmp}/voxflow-slurm-test.XXXXXX")
state=$work/slurm
# A port of its own, so that two builds testing at once (or a site's Slurm) do not meet.
export VOXFLOW_SLURM_PORT=$((20000 + RANDOM % 20000))

fail() {
  echo "FAIL: $*" >&2
  for f in "$work"/logs/*.out; do [ -f "$f" ] && { echo "--- $f" >&2; tail -n 20 "$f" >&2; }; done
  exit 1
}
cleanup() {
  "$src/scripts/slurm-local.sh" stop "$state" >/dev/null 2>&1 || true
  if [ "${VOXFLOW_KEEP_SLURM_TEST:-0}" = 1 ]; then echo "kept $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

for template in "$src"/cluster/*.sbatch; do
  bash -n "$template" || fail "$template is not valid bash"
done

if ! command -v slurmctld >/dev/null 2>&1 || ! command -v munged >/dev/null 2>&1; then
  if [ "${CI:-}" = true ]; then
    fail "Slurm is not installed (Debian packages slurm-wlm and munge; scripts/bootstrap-deps.sh installs them)"
  fi
  echo "SKIP: Slurm is not installed (Debian packages slurm-wlm and munge; scripts/bootstrap-deps.sh)"
  exit 77
fi
env_line=$("$src/scripts/slurm-local.sh" start "$state") || fail "the single-node Slurm did not start (above)"
eval "$env_line"
echo "Slurm: $(sinfo -h -N -o '%N %c CPUs %T') (SLURM_CONF=$SLURM_CONF)"

# Four small noise-free subjects of different grids, and the contract's cohort file (issue 12) listing them.
mkdir -p "$work/logs"
cohort=$work/cohort.yaml
echo "modality: dce" >"$cohort"
echo "subjects:" >>"$cohort"
for i in 1 2 3 4; do
  id=sub-0$i
  "$voxflow" simulate dce --out "$work/$id" --matrix "$((6 + i)),6,2" --noise 0 >/dev/null ||
    fail "voxflow simulate dce failed"
  echo "  - id: $id" >>"$cohort"
  echo "    inputs: {concentration: $id/conc.nii.gz, timing: $id/time.txt, mask: $id/mask.nii.gz}" >>"$cohort"
done
cat >>"$cohort" <<EOF
aif: {source: population, model: parker}
fit: {model: extended_tofts}
backend: host
output: {dir: out}
EOF
n=$("$voxflow" validate "$cohort" | sed -n 's/.*(\([0-9]*\) subjects.*/\1/p')
[ "$n" = 4 ] || fail "voxflow validate counts '$n' subjects, expected 4"

export VOXFLOW="$voxflow"  # sbatch exports the environment: the templates find the executable there

# Submits a template (sbatch options before it, its own arguments after) and prints the job id.
submit() { sbatch --parsable --chdir="$work" --output="$work/logs/%x-%A_%a.out" "$@" | cut -d';' -f1; }

# Waits for every task of job $1 to leave the queue (5 minutes at most).
wait_for_job() {
  for _ in $(seq 1500); do
    [ -z "$(squeue -h -j "$1" -o %i 2>/dev/null)" ] && return 0
    sleep 0.2
  done
  scontrol show job "$1" >&2 || true
  fail "job $1 did not finish within 5 minutes"
}

# "task state exit" per line for job $1 (task "-" when it is not an array), from scontrol: the test Slurm
# keeps finished jobs for MinJobAge (no accounting database for sacct).
job_states() {
  scontrol -o show job "$1" | awk '{
    task = "-"
    for (i = 1; i <= NF; i++) {
      split($i, kv, "=")
      if (kv[1] == "ArrayTaskId") task = kv[2]
      else if (kv[1] == "JobState") state = kv[2]
      else if (kv[1] == "ExitCode") code = kv[2]
    }
    print task, state, code
  }' | sort
}

# The status column of subject $2 in ledger $1.
status_of() { awk -F'\t' -v s="$2" '$1 == s { print $2 }' "$1"; }

# Checks ledger $1: one row per subject (header first), and each subject's status as given in "$2".
check_ledger() {
  local ledger=$1 expected=$2
  [ -f "$ledger" ] || fail "no ledger $ledger"
  [ "$(head -n1 "$ledger")" = "$(printf 'subject\tstatus\trank\thost\tseconds\tvoxels\tmessage')" ] ||
    fail "$ledger: unexpected header: $(head -n1 "$ledger")"
  local rows
  rows=$(tail -n +2 "$ledger" | cut -f1 | sort | uniq -c | awk '{ print $2 "x" $1 }' | tr '\n' ' ')
  [ "$rows" = "sub-01x1 sub-02x1 sub-03x1 sub-04x1 " ] || fail "$ledger: rows per subject: $rows"
  for pair in $expected; do
    local status
    status=$(status_of "$ledger" "${pair%%=*}")
    [ "$status" = "${pair#*=}" ] || fail "$ledger: ${pair%%=*} is '$status', expected ${pair#*=}:
$(cat "$ledger")"
  done
}

# The one Ktrans map of subject $2 under folder $1 (the contract: a name with the id and Ktrans, .nii.gz).
ktrans_of() {
  local found
  found=$(find "$1" -name "*$2*Ktrans*.nii.gz" -not -name '*.partial-*')
  [ "$(echo "$found" | grep -c .)" = 1 ] || fail "expected one Ktrans map of $2 under $1, found: $found"
  echo "$found"
}

# 1. The array template, sub-04 without its mask: three subjects done, one failed, one ledger.
mv "$work/sub-04/mask.nii.gz" "$work/sub-04-mask.nii.gz"
job=$(submit --array=0-$((n - 1)) --cpus-per-task=1 "$src/cluster/voxflow-array.sbatch" "$cohort" \
  --output "$work/out-array") || fail "sbatch of the array template failed"
wait_for_job "$job"
states=$(job_states "$job" | tr '\n' ',')
echo "array job $job: $states"
[ "$states" = "0 COMPLETED 0:0,1 COMPLETED 0:0,2 COMPLETED 0:0,3 FAILED 7:0," ] ||
  fail "array job $job: task states $states, expected tasks 0-2 COMPLETED 0:0 and 3 FAILED 7:0"
check_ledger "$work/out-array/cohort_status.tsv" "sub-01=done sub-02=done sub-03=done sub-04=failed"
grep -q "mask.nii.gz" <(awk -F'\t' '$1 == "sub-04"' "$work/out-array/cohort_status.tsv") ||
  fail "the failed row does not name the missing mask"
for i in 1 2 3; do ktrans_of "$work/out-array" "sub-0$i" >/dev/null; done

# 2. Resume: the failed task again, its mask back; the three finished rows stay as they were.
mv "$work/sub-04-mask.nii.gz" "$work/sub-04/mask.nii.gz"
before=$(grep -v '^sub-04' "$work/out-array/cohort_status.tsv")
job=$(submit --array=3 --cpus-per-task=1 "$src/cluster/voxflow-array.sbatch" "$cohort" \
  --output "$work/out-array" --resume) || fail "sbatch of the resumed array task failed"
wait_for_job "$job"
states=$(job_states "$job" | tr '\n' ',')
echo "resumed array job $job: $states"
[ "$states" = "3 COMPLETED 0:0," ] || fail "resumed task: $states, expected 3 COMPLETED 0:0"
check_ledger "$work/out-array/cohort_status.tsv" "sub-01=done sub-02=done sub-03=done sub-04=done"
[ "$(grep -v '^sub-04' "$work/out-array/cohort_status.tsv")" = "$before" ] ||
  fail "resuming sub-04 changed the other subjects' rows"

# 3. A task stopped by SIGTERM mid-subject (what Slurm sends at --signal time, and scancel first): voxflow
# removes its temporaries and exits 143, the row stays `running`; the same task with --resume finishes it.
"$voxflow" simulate dce --out "$work/big/sub-05" --matrix 96,96,12 >/dev/null || fail "voxflow simulate dce failed"
big=$work/big/cohort.yaml
cat >"$big" <<EOF
modality: dce
subjects:
  - id: sub-05
    inputs: {concentration: sub-05/conc.nii.gz, timing: sub-05/time.txt, mask: sub-05/mask.nii.gz}
aif: {source: population, model: parker}
fit: {model: extended_tofts}
backend: host
output: {dir: out}
EOF
job=$(submit --array=0 --cpus-per-task=1 "$src/cluster/voxflow-array.sbatch" "$big") ||
  fail "sbatch of the array template failed"
for _ in $(seq 600); do
  [ "$(status_of "$work/big/out/cohort_status.tsv" sub-05 2>/dev/null)" = running ] && break
  sleep 0.1
done
scancel --signal=TERM "$job" || fail "scancel --signal=TERM $job failed"
wait_for_job "$job"
states=$(job_states "$job" | tr '\n' ',')
echo "array job $job stopped by SIGTERM: $states"
[ "$states" = "0 FAILED 143:0," ] || fail "stopped task: $states, expected 0 FAILED 143:0 (voxflow's exit on SIGTERM)"
[ "$(status_of "$work/big/out/cohort_status.tsv" sub-05)" = running ] || fail "the stopped subject's row is not running"
[ -z "$(find "$work/big/out" -name '*.partial-*')" ] ||
  fail "temporary files left: $(find "$work/big/out" -name '*.partial-*')"
job=$(submit --array=0 --cpus-per-task=1 "$src/cluster/voxflow-array.sbatch" "$big" --resume) ||
  fail "sbatch of the resumed task failed"
wait_for_job "$job"
states=$(job_states "$job" | tr '\n' ',')
echo "resumed array job $job: $states"
[ "$states" = "0 COMPLETED 0:0," ] || fail "resumed task: $states, expected 0 COMPLETED 0:0"
[ "$(status_of "$work/big/out/cohort_status.tsv" sub-05)" = "done" ] || fail "the resumed subject is not done"
ktrans_of "$work/big/out" sub-05 >/dev/null

# 4. The MPI template, 2 ranks of 1 CPU, the whole cohort in one job step.
if "$voxflow" info | grep -q '^MPI: not built'; then
  echo "this voxflow has no MPI: the MPI template is not submitted"
  exit 0
fi
job=$(submit --nodes=1 --ntasks-per-node=2 --cpus-per-task=1 "$src/cluster/voxflow-cpu.sbatch" "$cohort" \
  --output "$work/out-mpi") || fail "sbatch of the MPI template failed"
wait_for_job "$job"
states=$(job_states "$job" | tr '\n' ',')
echo "MPI job $job: $states"
[ "$states" = "- COMPLETED 0:0," ] || fail "MPI job $job: $states, expected COMPLETED 0:0"
check_ledger "$work/out-mpi/cohort_status.tsv" "sub-01=done sub-02=done sub-03=done sub-04=done"
ranks=$(tail -n +2 "$work/out-mpi/cohort_status.tsv" | cut -f3 | sort -u | tr '\n' ' ')
case "$ranks" in
  "0 " | "0 1 " | "1 ") ;;
  *) fail "MPI ledger ranks '$ranks', expected ranks of a 2-rank job" ;;
esac
for i in 1 2 3 4; do
  cmp -s "$(ktrans_of "$work/out-array" "sub-0$i")" "$(ktrans_of "$work/out-mpi" "sub-0$i")" ||
    fail "sub-0$i: the MPI job's Ktrans map differs from the array job's"
done
echo "PASS: array job (4 tasks, one failed then resumed), a task stopped by SIGTERM then resumed, and MPI job (2 ranks, ranks used: $ranks)"
