#!/usr/bin/env bash
# Run an ABC-SMC calibration on Slurm in rounds: each round is a job array of N shards
# (deploy/slurm/calibrate-round.sbatch, submitted with `sbatch --wait`), then
# `promosim merge OUT`, until the merge writes the outputs (exit 0). The merge exits with
# 3 while the next batch of candidates needs another round. Run it where the scenario
# paths are relative to (a login node, or a long, light job of its own).
#
# Usage: deploy/slurm/calibrate.sh [options] -- calibrate options...
#   -n N        shards per round (default 8)
#   -c CPUS     CPUs per task, passed on as --threads (default 4)
#   -o OUT      the calibration's output folder on the shared filesystem (required)
#   -r ROUNDS   most rounds before giving up (default 200)
#   -b PATH     promosim binary (default: `promosim` on PATH, else ./target/release/promosim)
#   -s OPTS     more sbatch options, split at spaces ("--partition=long --account=x")
#
# Example:
#   deploy/slurm/calibrate.sh -n 16 -o /shared/cal-rp -- --targets calibration/field.toml \
#       --method abc --facts rp_ --only-params mechanisms.red_packets --particles 200 --quiet
# The outputs in OUT are those of the same `promosim calibrate` without --shard (wall times
# aside).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

usage() {
  sed -n '2,/^set -euo/p' "${BASH_SOURCE[0]}" | sed -e '$d' -e 's/^# \{0,1\}//'
}

die() {
  echo "calibrate.sh: $*" >&2
  exit 2
}

N=8
CPUS=4
OUT=""
ROUNDS=200
PROMOSIM="${PROMOSIM:-}"
SBATCH_OPTS=""
while getopts ":n:c:o:r:b:s:h" opt; do
  case "$opt" in
    n) N="$OPTARG" ;;
    c) CPUS="$OPTARG" ;;
    o) OUT="$OPTARG" ;;
    r) ROUNDS="$OPTARG" ;;
    b) PROMOSIM="$OPTARG" ;;
    s) SBATCH_OPTS="$OPTARG" ;;
    h)
      usage
      exit 0
      ;;
    :) die "option -$OPTARG needs a value (see -h)" ;;
    *) die "unknown option -$OPTARG (put the calibrate options after --; see -h)" ;;
  esac
done
shift $((OPTIND - 1))
[ -n "$OUT" ] || die "give the output folder with -o OUT (on the shared filesystem)"
[[ "$N" =~ ^[1-9][0-9]*$ ]] || die "-n $N: give a number of shards >= 1"
[[ "$CPUS" =~ ^[1-9][0-9]*$ ]] || die "-c $CPUS: give a number of CPUs >= 1"
if [ -z "$PROMOSIM" ]; then
  if command -v promosim >/dev/null 2>&1; then
    PROMOSIM="$(command -v promosim)"
  elif [ -x ./target/release/promosim ]; then
    PROMOSIM="$(pwd)/target/release/promosim"
  else
    die "no promosim binary: put it on PATH or give -b PATH"
  fi
fi
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
mkdir -p "$OUT.logs"

# SBATCH_OPTS is split at spaces on purpose.
# shellcheck disable=SC2206
sbatch_opts=(${SBATCH_OPTS})

for ((round = 1; round <= ROUNDS; round++)); do
  echo "round $round: $N shards"
  sbatch --wait --parsable --array="0-$((N - 1))" --cpus-per-task="$CPUS" \
    --output="$OUT.logs/round-$round-%a.out" \
    --export="ALL,N=$N,OUT=$OUT,PROMOSIM=$PROMOSIM" \
    ${sbatch_opts[@]+"${sbatch_opts[@]}"} \
    "$HERE/calibrate-round.sbatch" "$@" >/dev/null ||
    echo "round $round: some shard failed; the merge asks for its candidates again" >&2
  set +e
  "$PROMOSIM" merge "$OUT"
  rc=$?
  set -e
  case "$rc" in
    0)
      echo "calibration complete after $round round(s): $OUT"
      exit 0
      ;;
    3) ;;
    *)
      echo "calibrate.sh: the merge failed (exit $rc)" >&2
      exit "$rc"
      ;;
  esac
done
echo "calibrate.sh: not complete after $ROUNDS rounds (raise -r)" >&2
exit 1
