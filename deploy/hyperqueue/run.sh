#!/usr/bin/env bash
# A sharded promosim run on HyperQueue: one task array of N shards (`hq submit --array
# 0-(N-1)`, each task reads its index from HQ_TASK_ID through `--shard auto/N`), waited
# for, then `promosim merge` on this machine.
#
# Usage: deploy/hyperqueue/run.sh [options] SCENARIO.toml [promosim options...]
#   -n N        shards, i.e. tasks 0..N-1 (default 8)
#   -c CPUS     CPUs per task (hq --cpus), passed on as --threads (default 4)
#   -w WORK     shared folder for the shards and task logs (default ./promosim-work-<time>)
#   -o OUT      folder of the merged result (default WORK/merged)
#   -x COMMAND  promosim command: run (default), compare, sweep, sensitivity
#   -b PATH     promosim binary (default: `promosim` on PATH, else ./target/release/promosim)
#   -p          partial: merge whichever shards succeeded (merge --allow-partial)
#
# Needs a running HyperQueue server and workers that see WORK and the scenario files at
# the same paths (shared filesystem), e.g.
#   hq server start &
#   hq worker start &                      # or: hq alloc add slurm --time-limit 2h -- -p cpu
#   deploy/hyperqueue/run.sh -n 16 -w /shared/promo scenarios/compare_red_packets.toml --trials 20000 --quiet
# The merged OUT holds exactly what `promosim run SCENARIO.toml [options] --out OUT` writes.
set -euo pipefail

die() {
  echo "run.sh: $*" >&2
  exit 2
}

N=8
CPUS=4
WORK=""
OUT=""
COMMAND=run
PROMOSIM="${PROMOSIM:-}"
PARTIAL=0
while getopts ":n:c:w:o:x:b:ph" opt; do
  case "$opt" in
    n) N="$OPTARG" ;;
    c) CPUS="$OPTARG" ;;
    w) WORK="$OPTARG" ;;
    o) OUT="$OPTARG" ;;
    x) COMMAND="$OPTARG" ;;
    b) PROMOSIM="$OPTARG" ;;
    p) PARTIAL=1 ;;
    h)
      sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
      exit 0
      ;;
    :) die "option -$OPTARG needs a value (see -h)" ;;
    *) die "unknown option -$OPTARG (see -h)" ;;
  esac
done
shift $((OPTIND - 1))
[ "$#" -ge 1 ] || die "no scenario file given (see -h)"
SCENARIO="$1"
shift

case "$N" in '' | *[!0-9]* | 0) die "-n must be a positive whole number, got '$N'" ;; esac
case "$CPUS" in '' | *[!0-9]* | 0) die "-c must be a positive whole number, got '$CPUS'" ;; esac
case "$COMMAND" in
  run | compare | sweep | sensitivity) ;;
  *) die "-x must be run, compare, sweep or sensitivity, got '$COMMAND'" ;;
esac
[ -f "$SCENARIO" ] || die "scenario file '$SCENARIO' not found (paths are relative to $(pwd))"
command -v hq >/dev/null 2>&1 || die "hq (HyperQueue) not found on PATH"

if [ -z "$PROMOSIM" ]; then
  if command -v promosim >/dev/null 2>&1; then
    PROMOSIM="$(command -v promosim)"
  elif [ -x target/release/promosim ]; then
    PROMOSIM="$(pwd)/target/release/promosim"
  else
    die "promosim not found on PATH nor at ./target/release/promosim: give it with -b"
  fi
fi
case "$PROMOSIM" in /*) ;; */*) PROMOSIM="$(pwd)/$PROMOSIM" ;; esac

WORK="${WORK:-$(pwd)/promosim-work-$(date +%Y%m%d-%H%M%S)}"
mkdir -p "$WORK/logs"
WORK="$(cd "$WORK" && pwd)"
OUT="${OUT:-$WORK/merged}"

shopt -s nullglob
old=("$WORK"/shard-*)
shopt -u nullglob
[ "${#old[@]}" -eq 0 ] || die "$WORK already holds shard folders (${old[0]}, ...): use a new -w folder or remove them"

# Each task's output folder needs its index, which only the task knows: a small shell
# expands HQ_TASK_ID there. The promosim command travels as the shell's arguments, the
# rest as variables (tasks get the worker's environment plus --env, not this shell's).
# shellcheck disable=SC2016
task='exec "$0" "$@" --threads "$PROMOSIM_THREADS" --shard "auto/$PROMOSIM_SHARDS" --out "$PROMOSIM_WORK/shard-$HQ_TASK_ID"'

echo "submitting $N shards: promosim $COMMAND $SCENARIO $*"
status=0
hq submit --name "promosim-$COMMAND" --array "0-$((N - 1))" --cpus "$CPUS" \
  --env "PROMOSIM_THREADS=$CPUS" --env "PROMOSIM_SHARDS=$N" --env "PROMOSIM_WORK=$WORK" \
  --cwd "$(pwd)" \
  --stdout "$WORK/logs/shard-%{TASK_ID}.out" --stderr "$WORK/logs/shard-%{TASK_ID}.err" \
  --wait \
  -- bash -c "$task" "$PROMOSIM" "$COMMAND" "$SCENARIO" "$@" || status=$?

merge_args=()
if [ "$status" -ne 0 ]; then
  echo "run.sh: some shards failed (hq exit $status); logs in $WORK/logs" >&2
  [ "$PARTIAL" -eq 1 ] || exit 1
fi
if [ "$PARTIAL" -eq 1 ]; then
  merge_args=(--allow-partial)
fi

shopt -s nullglob
shards=("$WORK"/shard-*)
shopt -u nullglob
[ "${#shards[@]}" -gt 0 ] || die "no shard folders in $WORK"
echo "merging ${#shards[@]} shards into $OUT"
"$PROMOSIM" merge "${shards[@]}" --out "$OUT" ${merge_args[@]+"${merge_args[@]}"}
echo "merged: $OUT"
