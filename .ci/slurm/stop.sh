#!/usr/bin/env bash
# Stop the single-node Slurm that .ci/slurm/start.sh started: slurmd, slurmctld, and
# munged when start.sh started it. Safe to run when nothing is running.
set -euo pipefail

SLURM_DIR="${PROMOSIM_SLURM_DIR:-/tmp/promosim-slurm}"
# The daemons live in /usr/sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"

if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  exec sudo -n env PROMOSIM_SLURM_DIR="$SLURM_DIR" bash "$0" "$@"
fi

stop_pid() {
  local name="$1" pid="$2"
  # Only a live process of that name: a stale pid file may name a reused pid.
  if [ -z "$pid" ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ]; then
    return 0
  fi
  echo "stopping $name (pid $pid)"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 20); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.5
  done
  echo "stop.sh: $name (pid $pid) still running after 10 s; sending SIGKILL" >&2
  kill -9 "$pid" 2>/dev/null || true
}

for name in slurmd slurmctld; do
  pidfile="$SLURM_DIR/$name.pid"
  if [ -s "$pidfile" ]; then
    stop_pid "$name" "$(cat "$pidfile")"
    rm -f "$pidfile"
  fi
done

if [ -f "$SLURM_DIR/munged.started" ]; then
  if [ -s /run/munge/munged.pid ]; then
    stop_pid munged "$(cat /run/munge/munged.pid)"
  fi
  rm -f "$SLURM_DIR/munged.started"
fi
echo "Slurm stopped"
