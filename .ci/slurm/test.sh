#!/usr/bin/env bash
# CI's cluster test: a sharded run through a real Slurm job array must give the same
# files, byte for byte, as one unsharded run.
#
# 1. runs `promosim run scenarios/compare_red_packets.toml --trials 40 --quiet` once;
# 2. starts a single-node Slurm (.ci/slurm/start.sh) unless one is already up;
# 3. submits the same run as a 4-task array plus its merge job (deploy/slurm/submit.sh);
# 4. waits for the merge job, prints the job states and logs, and compares
#    `diff -r single merged`.
# Needs a built target/release/promosim (or PROMOSIM_BIN). When Slurm cannot be started
# here (no root and no sudo, packages missing, daemons failing) it prints
# "SKIPPED: Slurm array test: <reason>" and exits 0; once Slurm runs, a failed job, a
# timeout or any difference exits 1.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT="$(pwd)"

BIN="${PROMOSIM_BIN:-$ROOT/target/release/promosim}"
SHARDS="${PROMOSIM_SLURM_SHARDS:-4}"
TIMEOUT="${PROMOSIM_SLURM_TEST_TIMEOUT:-300}"
SCENARIO=scenarios/compare_red_packets.toml
OPTS=(--trials 40 --quiet)
export SLURM_CONF="${PROMOSIM_SLURM_DIR:-/tmp/promosim-slurm}/slurm.conf"

fail() {
  echo "FAILED: Slurm array test: $*" >&2
  exit 1
}

[ -x "$BIN" ] || fail "$BIN is not built (cargo build --release)"
if ! "$BIN" merge --help >/dev/null 2>&1 || ! "$BIN" run --help 2>/dev/null | grep -q -- '--shard'; then
  fail "$BIN has no 'merge' command or no 'run --shard' option"
fi

T="$(mktemp -d /tmp/promosim-slurm-test.XXXXXX)"
chmod 755 "$T"
STARTED=0
cleanup() {
  local rc=$?
  if [ "$STARTED" -eq 1 ]; then
    bash .ci/slurm/stop.sh >/dev/null 2>&1 || true
  fi
  if [ "$rc" -eq 0 ]; then
    rm -rf "$T"
  else
    echo "(test files kept in $T)" >&2
  fi
}
trap cleanup EXIT

echo "-- single run: promosim run $SCENARIO ${OPTS[*]} --out $T/single"
"$BIN" run "$SCENARIO" "${OPTS[@]}" --out "$T/single" >"$T/single.log" 2>&1 ||
  { cat "$T/single.log"; fail "the single run failed"; }

echo "-- starting single-node Slurm"
if ! start_log="$(bash .ci/slurm/start.sh 2>&1)"; then
  echo "$start_log"
  reason="$(printf '%s\n' "$start_log" | grep '^start.sh: ' | tail -n 1 | sed 's/^start.sh: //')"
  echo "SKIPPED: Slurm array test: ${reason:-.ci/slurm/start.sh failed}"
  exit 0
fi
echo "$start_log"
case "$start_log" in
  *"already running"*) ;;
  *) STARTED=1 ;;
esac

echo "-- submitting $SHARDS shards and the merge"
submit_log="$(deploy/slurm/submit.sh -n "$SHARDS" -c 1 -b "$BIN" -w "$T/work" -o "$T/merged" \
  "$SCENARIO" "${OPTS[@]}")" || { echo "$submit_log"; fail "deploy/slurm/submit.sh failed"; }
echo "$submit_log"
ARRAY_ID="$(printf '%s\n' "$submit_log" | sed -n 's/^ARRAY_ID=//p')"
MERGE_ID="$(printf '%s\n' "$submit_log" | sed -n 's/^MERGE_ID=//p')"
if [ -z "$ARRAY_ID" ] || [ -z "$MERGE_ID" ]; then
  fail "submit.sh printed no job ids"
fi

job_field() { # job_field JOBID FIELD: FIELD of the job's first record in scontrol
  scontrol show job -o "$1" 2>/dev/null | head -n 1 | tr ' ' '\n' | sed -n "s/^$2=//p"
}

echo "-- waiting for merge job $MERGE_ID (timeout ${TIMEOUT}s)"
state=""
waited=0
while :; do
  state="$(job_field "$MERGE_ID" JobState)"
  reason="$(job_field "$MERGE_ID" Reason)"
  case "$state" in
    COMPLETED | FAILED | CANCELLED | TIMEOUT | NODE_FAIL | OUT_OF_MEMORY | BOOT_FAIL | DEADLINE | PREEMPTED) break ;;
  esac
  if [ "$reason" = DependencyNeverSatisfied ]; then
    state="PENDING (DependencyNeverSatisfied: a shard failed)"
    break
  fi
  if [ "$waited" -ge "$TIMEOUT" ]; then
    state="${state:-unknown} after ${TIMEOUT}s (timed out)"
    scancel "$ARRAY_ID" "$MERGE_ID" 2>/dev/null || true
    break
  fi
  sleep 2
  waited=$((waited + 2))
done
echo "merge job $MERGE_ID: $state after ~${waited}s"

echo "-- sinfo"
sinfo
echo "-- job states"
{ scontrol show job -o "$ARRAY_ID"; scontrol show job -o "$MERGE_ID"; } 2>/dev/null |
  tr ' ' '\n' | grep -E '^(JobId|ArrayJobId|ArrayTaskId|JobName|JobState|ExitCode|RunTime)=' |
  paste -sd ' ' | sed 's/ JobId=/\nJobId=/g' || true
echo "-- job logs ($T/work/logs)"
for f in "$T"/work/logs/*.out; do
  [ -e "$f" ] || continue
  echo "---- $(basename "$f")"
  if [ "$(wc -l <"$f")" -gt 8 ]; then
    head -n 4 "$f"
    echo "     [...]"
    tail -n 3 "$f"
  else
    cat "$f"
  fi
done

bad_tasks="$(scontrol show job -o "$ARRAY_ID" 2>/dev/null | grep -cv 'JobState=COMPLETED' || true)"
[ "$state" = COMPLETED ] || fail "merge job $MERGE_ID ended $state"
[ "$bad_tasks" -eq 0 ] || fail "$bad_tasks array task(s) of job $ARRAY_ID did not complete"

echo "-- diff -r single merged"
if ! diff -r "$T/single" "$T/merged"; then
  fail "the merged result differs from the single run"
fi
nfiles="$(find "$T/single" -type f | wc -l)"
echo "Slurm array test: $SHARDS shards merged, $nfiles files byte-identical to the single run"

# A calibration in rounds: each round a 3-task array (`sbatch --wait`) and
# `promosim merge`, until the merge writes the outputs; they must be the single
# process's (timings aside: generations.csv and cost.csv hold wall times).
CAL_OPTS=(--targets examples/levers_targets.toml --method abc --particles 12 --trials 3
  --generations 3 --predictive 4 --quiet)
echo "-- calibration in rounds: deploy/slurm/calibrate.sh -n 3 -- ${CAL_OPTS[*]}"
"$BIN" calibrate "${CAL_OPTS[@]}" --out "$T/cal-single" >"$T/cal-single.log" 2>&1 ||
  { cat "$T/cal-single.log"; fail "the single calibration failed"; }
deploy/slurm/calibrate.sh -n 3 -c 1 -r 40 -b "$BIN" -o "$T/cal" -- "${CAL_OPTS[@]}" >"$T/cal.log" 2>&1 ||
  { tail -n 20 "$T/cal.log"; fail "deploy/slurm/calibrate.sh failed"; }
grep -E '^(round|calibration complete)' "$T/cal.log"
for f in particles.csv posterior.csv correlation.csv predictive.csv targets.csv; do
  cmp "$T/cal-single/$f" "$T/cal/$f" || fail "calibration in rounds: $f differs from the single run"
done
echo "Slurm calibration test: rounds of 3 shards give the single run's posterior, byte for byte"
