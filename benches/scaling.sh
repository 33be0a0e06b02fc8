#!/usr/bin/env bash
# Scaling of a full campaign with its population: `scenarios/full_campaign.toml` with the
# chat groups set to 20, 200 and 2,000 groups of exactly 200 or 500 members (the
# 100,000 buyers outside the groups and every mechanism kept), the campaign world only
# (`--totals-only`), one worker thread. Prints CPU seconds per trial (user + system, from
# GNU time), peak resident memory, and CPU nanoseconds per agent-day (agents: group
# members plus outside buyers; 90 days).
#
# Usage, from the repository root after `cargo build --release`:
#   benches/scaling.sh [PROMOSIM]
# The table goes to standard output as Markdown; docs/performance.md records one run.
set -euo pipefail

PROMOSIM=${1:-target/release/promosim}
OUT=$(mktemp -d)
trap 'rm -rf "$OUT"' EXIT
OUTSIDERS=100000
DAYS=90

echo "| groups | members per group | agents | trials | CPU s per trial | ns per agent-day | peak RSS (MB) |"
echo "|---|---|---|---|---|---|---|"
for size in 200 500; do
  for groups in 20 200 2000; do
    members=$((groups * size))
    # About 2 M group members' worth of trials per point, at least one trial.
    trials=$(( 2000000 / members ))
    ((trials < 1)) && trials=1
    ((trials > 20)) && trials=20
    /usr/bin/time -f "%U %S %M" -o "$OUT/time" "$PROMOSIM" run scenarios/full_campaign.toml \
      --set "population.groups.count=$groups" \
      --set "population.groups.size={ dist = \"fixed\", value = $size }" \
      --trials "$trials" --threads 1 --totals-only --no-plots --quiet --out "$OUT/run" \
      > /dev/null
    read -r user sys rss < "$OUT/time"
    agents=$((members + OUTSIDERS))
    python3 - "$groups" "$size" "$agents" "$trials" "$user" "$sys" "$rss" "$DAYS" <<'PY'
import sys
g, size, agents, trials = (int(x) for x in sys.argv[1:5])
user, sys_s, rss, days = float(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8])
cpu = (user + sys_s) / trials
print(f"| {g:,} | {size:,} | {agents:,} | {trials} | {cpu:.3f} | {1e9 * cpu / (agents * days):.1f} | {rss / 1024:.0f} |")
PY
  done
done
