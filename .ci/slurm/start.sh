#!/usr/bin/env bash
# Start a single-node Slurm on this machine: munged, slurmctld and slurmd, all on
# 127.0.0.1, for CI's array-job test (.ci/slurm/test.sh). Uses Debian's `slurm-wlm` and
# `munge` packages (`apt-get install slurm-wlm munge`); needs root or passwordless sudo.
#
# Made for containers and small VMs: no systemd (the daemons are started directly), no
# cgroups (proctrack/linuxproc, task/none), no accounting database. The configuration,
# state, spool and logs live in $PROMOSIM_SLURM_DIR (default /tmp/promosim-slurm); the
# system's /etc/slurm is left alone, so clients need
#
#   export SLURM_CONF="${PROMOSIM_SLURM_DIR:-/tmp/promosim-slurm}/slurm.conf"
#
# Idempotent: when this Slurm is already up with its node ready, it does nothing.
# Stop it with .ci/slurm/stop.sh. Exit 0 when the node is idle in `sinfo`, 1 otherwise,
# with the reason on stderr (last line starts with "start.sh: ").
set -euo pipefail

SLURM_DIR="${PROMOSIM_SLURM_DIR:-/tmp/promosim-slurm}"
# The daemons live in /usr/sbin, which a non-login PATH may lack.
export PATH="$PATH:/usr/sbin:/sbin"
TIMEOUT="${PROMOSIM_SLURM_TIMEOUT:-60}"
CTLD_PORT="${PROMOSIM_SLURMCTLD_PORT:-6817}"
SLURMD_PORT="${PROMOSIM_SLURMD_PORT:-6818}"
export SLURM_CONF="$SLURM_DIR/slurm.conf"

die() {
  echo "start.sh: $*" >&2
  exit 1
}

show_logs() {
  local f
  for f in "$SLURM_DIR/log/slurmctld.log" "$SLURM_DIR/log/slurmd.log" "$SLURM_DIR/log/munged.log"; do
    if [ -s "$f" ]; then
      echo "---- last lines of $f" >&2
      tail -n 15 "$f" >&2
    fi
  done
}

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    exec sudo -n env PROMOSIM_SLURM_DIR="$SLURM_DIR" PROMOSIM_SLURM_TIMEOUT="$TIMEOUT" \
      PROMOSIM_SLURMCTLD_PORT="$CTLD_PORT" PROMOSIM_SLURMD_PORT="$SLURMD_PORT" \
      bash "$0" "$@"
  fi
  die "needs root (slurmd runs jobs as their users) and there is no passwordless sudo"
fi

for cmd in munged munge unmunge slurmctld slurmd sinfo scontrol sbatch; do
  command -v "$cmd" >/dev/null 2>&1 ||
    die "'$cmd' not found: install Debian's packages with 'apt-get install slurm-wlm munge'"
done

NODE="$(hostname -s)"
[ -n "$NODE" ] || die "'hostname -s' printed nothing"
CPUS="$(nproc)"

node_state() {
  sinfo -h -N -n "$NODE" -o '%t' 2>/dev/null | head -n 1 | tr -d '*~#!%$@^-' || true
}

# Already up with our configuration? Nothing to do.
if [ -f "$SLURM_CONF" ] && scontrol ping 2>/dev/null | grep -q 'is UP'; then
  case "$(node_state)" in
    idle | mix | alloc | comp)
      echo "Slurm already running (SLURM_CONF=$SLURM_CONF), node $NODE is $(node_state)"
      exit 0
      ;;
  esac
fi

# Half-started leftovers of an earlier attempt: stop them before starting afresh.
for name in slurmd slurmctld; do
  pidfile="$SLURM_DIR/$name.pid"
  pid="$(cat "$pidfile" 2>/dev/null || true)"
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
    echo "stopping leftover $name (pid $pid)"
    kill "$pid" 2>/dev/null || true
    sleep 1
  fi
done

mkdir -p "$SLURM_DIR"/{state,spool,log,jobs}
chmod 755 "$SLURM_DIR" "$SLURM_DIR/jobs"

# ---- munge: key, directories, daemon
MUNGE_KEY=/etc/munge/munge.key
if [ ! -s "$MUNGE_KEY" ]; then
  echo "creating $MUNGE_KEY"
  mkdir -p /etc/munge
  if command -v mungekey >/dev/null 2>&1; then
    mungekey --create --keyfile="$MUNGE_KEY" || die "mungekey could not create $MUNGE_KEY"
  else
    dd if=/dev/urandom of="$MUNGE_KEY" bs=1 count=1024 status=none ||
      die "could not write $MUNGE_KEY"
  fi
fi
MUNGE_USER=root
if id munge >/dev/null 2>&1; then
  MUNGE_USER=munge
fi
chown "$MUNGE_USER": /etc/munge "$MUNGE_KEY"
chmod 700 /etc/munge
chmod 400 "$MUNGE_KEY"
mkdir -p /run/munge /var/lib/munge /var/log/munge
chown "$MUNGE_USER": /run/munge /var/lib/munge /var/log/munge
chmod 755 /run/munge
chmod 700 /var/lib/munge /var/log/munge

if munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  echo "munged already running"
else
  rm -f /run/munge/munge.socket.2 /run/munge/munge.socket.2.lock
  echo "starting munged as $MUNGE_USER"
  if [ "$MUNGE_USER" = root ]; then
    munged --force --log-file="$SLURM_DIR/log/munged.log" ||
      { show_logs; die "munged did not start"; }
  else
    # munged's own log stays in /var/log/munge (it checks the folder's owner).
    runuser -u munge -- munged || { tail -n 15 /var/log/munge/munged.log >&2 || true; die "munged did not start"; }
  fi
  # Remember that this script started it, so that stop.sh stops it again.
  touch "$SLURM_DIR/munged.started"
  for _ in $(seq 1 20); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    sleep 0.5
  done
  munge -n | unmunge >/dev/null || die "munged started but a credential does not round-trip (munge -n | unmunge)"
fi

# ---- slurm.conf: one node, one partition, no cgroups, no accounting
cat >"$SLURM_CONF" <<EOF
# Written by .ci/slurm/start.sh: single-node Slurm for CI.
ClusterName=promosim-ci
SlurmctldHost=$NODE(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
# Containers: no cgroup hierarchy to use, no systemd.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
# Use the node's line below as it is, not what slurmd detects (VMs and containers).
SlurmdParameters=config_overrides
ReturnToService=2
# Keep finished jobs visible to scontrol/squeue for 10 minutes.
MinJobAge=600
SlurmctldTimeout=30
SlurmdTimeout=60
StateSaveLocation=$SLURM_DIR/state
SlurmdSpoolDir=$SLURM_DIR/spool
SlurmctldPidFile=$SLURM_DIR/slurmctld.pid
SlurmdPidFile=$SLURM_DIR/slurmd.pid
SlurmctldLogFile=$SLURM_DIR/log/slurmctld.log
SlurmdLogFile=$SLURM_DIR/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
NodeName=$NODE NodeAddr=127.0.0.1 NodeHostname=$NODE CPUs=$CPUS RealMemory=1024 State=UNKNOWN
PartitionName=ci Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF

# ---- daemons (they fork into the background themselves; -c starts with no old jobs)
echo "starting slurmctld (SLURM_CONF=$SLURM_CONF)"
slurmctld -c -f "$SLURM_CONF" || { show_logs; die "slurmctld did not start"; }
for _ in $(seq 1 20); do
  scontrol ping 2>/dev/null | grep -q 'is UP' && break
  sleep 0.5
done
scontrol ping 2>/dev/null | grep -q 'is UP' || { show_logs; die "slurmctld started but does not answer 'scontrol ping'"; }

echo "starting slurmd on node $NODE ($CPUS CPUs)"
slurmd -c -f "$SLURM_CONF" || { show_logs; die "slurmd did not start"; }

state=""
for _ in $(seq 1 "$TIMEOUT"); do
  state="$(node_state)"
  case "$state" in
    idle | mix | alloc)
      sinfo
      echo "Slurm is up: export SLURM_CONF=$SLURM_CONF"
      exit 0
      ;;
    drain | drng | down)
      # A node that registered after an earlier failure stays down: return it.
      scontrol update nodename="$NODE" state=resume >/dev/null 2>&1 || true
      ;;
  esac
  sleep 1
done
sinfo -N -l >&2 || true
scontrol show node "$NODE" >&2 || true
show_logs
die "node $NODE not idle after ${TIMEOUT}s (state: '${state:-none}')"
