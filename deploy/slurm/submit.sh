#!/usr/bin/env bash
# Submit a sharded promosim run to Slurm: a job array of N shards
# (deploy/slurm/promosim-array.sbatch) and a merge job that starts when every shard has
# succeeded (deploy/slurm/merge.sbatch). Prints both job ids.
#
# Usage: deploy/slurm/submit.sh [options] SCENARIO.toml [promosim options...]
#   -n N        shards, i.e. array tasks 0..N-1 (default 8)
#   -c CPUS     CPUs per task, passed on as --threads (default 4)
#   -w WORK     shared folder for the shards and the job logs (default ./promosim-work-<time>)
#   -o OUT      folder of the merged result (default WORK/merged)
#   -x COMMAND  promosim command: run (default), compare, sweep, sensitivity
#   -b PATH     promosim binary (default: `promosim` on PATH, else ./target/release/promosim)
#   -s OPTS     more sbatch options for both jobs, split at spaces ("--partition=long --account=x")
#   -p          partial: merge whichever shards succeeded (afterany + merge --allow-partial)
#
# Examples (run from the folder the scenario paths are relative to; jobs start there too):
#   deploy/slurm/submit.sh -n 16 -w /shared/promo scenarios/compare_red_packets.toml --trials 20000 --quiet
#   deploy/slurm/submit.sh -n 8 -x compare -w /shared/cmp a.toml b.toml --trials 4000 --quiet
#   deploy/slurm/submit.sh -n 8 -x sweep -w /shared/sw scenarios/red_packets_plain.toml \
#       --param mechanisms.red_packets.packets=5..40:8 --trials 300 --quiet
#   deploy/slurm/submit.sh -n 8 -x sensitivity -w /shared/sa scenarios/red_packets_plain.toml \
#       --param mechanisms.red_packets.packets=5..40 --param mechanisms.red_packets.claim_intent=0..0.6 \
#       --samples 64 --trials 20 --quiet
# The merged OUT holds exactly what the same promosim command with --out OUT would write.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

die() {
  echo "submit.sh: $*" >&2
  exit 2
}

N=8
CPUS=4
WORK=""
OUT=""
COMMAND=run
PROMOSIM="${PROMOSIM:-}"
SBATCH_OPTS=""
PARTIAL=0
while getopts ":n:c:w:o:x:b:s:ph" opt; do
  case "$opt" in
    n) N="$OPTARG" ;;
    c) CPUS="$OPTARG" ;;
    w) WORK="$OPTARG" ;;
    o) OUT="$OPTARG" ;;
    x) COMMAND="$OPTARG" ;;
    b) PROMOSIM="$OPTARG" ;;
    s) SBATCH_OPTS="$OPTARG" ;;
    p) PARTIAL=1 ;;
    h)
      usage
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
command -v sbatch >/dev/null 2>&1 || die "sbatch not found: is this a Slurm login node?"

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
case "$OUT" in /*) ;; *) OUT="$(pwd)/$OUT" ;; esac

# Shards of an earlier run in WORK would be merged with this one's (and refused).
shopt -s nullglob
old=("$WORK"/shard-*)
shopt -u nullglob
[ "${#old[@]}" -eq 0 ] || die "$WORK already holds shard folders (${old[0]}, ...): use a new -w folder or remove them"

# More sbatch options are split at spaces on purpose.
# shellcheck disable=SC2206
sbatch_extra=($SBATCH_OPTS)

DEPENDENCY=afterok
MERGE_ARGS=""
if [ "$PARTIAL" -eq 1 ]; then
  DEPENDENCY=afterany
  MERGE_ARGS="--allow-partial"
fi

# The promosim options after the scenario go to the array script as arguments, so
# their quoting survives; the rest travels in the environment.
export SCENARIO N WORK OUT PROMOSIM MERGE_ARGS
export PROMOSIM_COMMAND="$COMMAND" PROMOSIM_ARGS=""
ARRAY_ID="$(
  sbatch --parsable --array="0-$((N - 1))" --cpus-per-task="$CPUS" \
    --job-name="promosim-$COMMAND" --output="$WORK/logs/shard-%A_%a.out" \
    --export=ALL ${sbatch_extra[@]+"${sbatch_extra[@]}"} \
    "$HERE/promosim-array.sbatch" "$@"
)"
ARRAY_ID="${ARRAY_ID%%;*}"

MERGE_ID="$(
  sbatch --parsable --dependency="$DEPENDENCY:$ARRAY_ID" --kill-on-invalid-dep=yes \
    --job-name="promosim-merge" --output="$WORK/logs/merge-%j.out" \
    --export=ALL ${sbatch_extra[@]+"${sbatch_extra[@]}"} \
    "$HERE/merge.sbatch"
)"
MERGE_ID="${MERGE_ID%%;*}"

echo "array job: $ARRAY_ID ($N shards of: promosim $COMMAND $SCENARIO $*)"
echo "merge job: $MERGE_ID (after $DEPENDENCY:$ARRAY_ID) -> $OUT"
echo "logs:      $WORK/logs"
echo "ARRAY_ID=$ARRAY_ID"
echo "MERGE_ID=$MERGE_ID"
