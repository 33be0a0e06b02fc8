#!/usr/bin/env bash
# Field posterior: block-wise ABC-SMC on calibration/field.toml (the long run).
#
# One ABC-SMC per section of the field's figures, on that section's facts and that
# section's mechanism parameters; the shared behaviour.* parameters stay at their shipped
# values, so each posterior is conditional on them. Then the posterior medians of every
# section are written into a copy of calibration/ and scenarios/ and all 49 figures are
# checked there at the default 200 trials. docs/calibration.md ("Field posterior") gives
# the result of the run recorded below.
#
# Cost: about 100 minutes of wall clock on 2 cores (two queues side by side, one thread
# each). --max-seconds bounds each section, so how many generations finish depends on the
# machine; delete a section's folder to start it again (an interrupted section continues
# from its last finished generation when run again, with a fresh time budget).
#
# Usage, from the repository root:
#   PROMOSIM=target/release/promosim OUT=out/field-abc calibration/field_abc.sh [abc|combine|report|all] [SECTION...]
# SECTION: rp qa votes proofs_fakes proofs_posting proofs_reach levers_flash levers (default:
# all, one after another). The recorded run ran two queues side by side:
#   calibration/field_abc.sh abc proofs_posting proofs_reach proofs_fakes &
#   calibration/field_abc.sh abc votes rp qa; wait
#   calibration/field_abc.sh abc levers_flash & calibration/field_abc.sh abc levers; wait
#   calibration/field_abc.sh combine; calibration/field_abc.sh report
# Needs python3 (reads the CSV outputs).
set -euo pipefail

PROMOSIM=${PROMOSIM:-target/release/promosim}
OUT=${OUT:-out/field-abc}
THREADS=${THREADS:-1}
SEED=${SEED:-1}
STAGE=${1:-all}
shift || true
SECTIONS=${*:-rp qa votes proofs_fakes proofs_posting proofs_reach levers_flash levers}

# section -> facts, parameters, particles, trials, seconds, predictive draws
section_args() {
  case $1 in
    rp)     echo "--facts rp_ --only-params mechanisms.red_packets --particles 80 --trials 30 --max-seconds 900 --predictive 20" ;;
    qa)     echo "--facts qa_ --only-params mechanisms.qa --particles 80 --trials 30 --max-seconds 500 --predictive 20" ;;
    votes)  echo "--facts votes_ --only-params mechanisms.votes --particles 80 --trials 20 --max-seconds 1800 --predictive 20" ;;
    # Order proofs in three blocks (eleven parameters at once do not converge in the budget):
    # fakes; posting (who shares, for what reward; levers_proof_interaction, 2.8, runs
    # proofs_plain); reach (who opens a proof and what it does to intent and orders).
    proofs_fakes) echo "--facts proofs_plain_fakes --facts proofs_verified_fakes --only-params mechanisms.order_proofs.fake_ --particles 80 --trials 20 --max-seconds 700 --predictive 20" ;;
    proofs_posting) echo "--facts proofs_plain_participation --facts proofs_rate_ --facts proofs_tiering --facts proofs_quality_bonus --facts proofs_cost_share --facts levers_proof_interaction --only-params mechanisms.order_proofs.post_base --only-params mechanisms.order_proofs.reward_weight --only-params mechanisms.order_proofs.unaware_share --only-params mechanisms.order_proofs.story_bonus_weight --particles 80 --trials 10 --max-seconds 2100 --predictive 20" ;;
    proofs_reach) echo "--facts proofs_designed_ --facts proofs_story_ctr --facts proofs_curated_push --facts proofs_new_members --only-params mechanisms.order_proofs.open_base --only-params mechanisms.order_proofs.story_appeal --only-params mechanisms.order_proofs.story_strength --only-params mechanisms.order_proofs.proof_strength --only-params mechanisms.order_proofs.forward_open_base --particles 80 --trials 20 --max-seconds 1800 --predictive 20" ;;
    # Other group levers in two blocks: the flash sale; the share draw and targeted pushes.
    levers_flash) echo "--facts levers_flash_sale --only-params mechanisms.flash_sale --particles 80 --trials 20 --max-seconds 600 --predictive 20" ;;
    levers) echo "--facts levers_share_draw --facts levers_targeted --only-params mechanisms.share_draw --only-params mechanisms.targeted_push --particles 80 --trials 20 --max-seconds 600 --predictive 20" ;;
    *) echo "unknown section $1" >&2; exit 2 ;;
  esac
}

run_abc() {
  local s=$1
  mkdir -p "$OUT/$s"
  # shellcheck disable=SC2046
  /usr/bin/time -v "$PROMOSIM" calibrate --method abc --targets calibration/field.toml \
    $(section_args "$s") --seed "$SEED" --threads "$THREADS" --out "$OUT/$s" \
    > "$OUT/$s.log" 2> "$OUT/$s.err"
}

if [[ $STAGE == abc || $STAGE == all ]]; then
  for s in $SECTIONS; do run_abc "$s"; done
fi

# Combine: every section's posterior medians written into every scenario that has the
# mechanism (`promosim show --set` prints the resolved scenario), then all figures checked.
if [[ $STAGE == combine || $STAGE == all ]]; then
  C=$OUT/combined
  rm -rf "$C"
  mkdir -p "$C/calibration" "$C/scenarios"
  cp calibration/field.toml "$C/calibration/"
  # parameter,median of every section (posterior.csv quotes the prior, which has a comma)
  python3 - "$OUT" > "$OUT/medians.txt" <<'PY'
import csv, pathlib, sys
for s in ["rp", "qa", "votes", "proofs_fakes", "proofs_posting", "proofs_reach", "levers_flash", "levers"]:
    p = pathlib.Path(sys.argv[1]) / s / "posterior.csv"
    if p.exists():
        for row in csv.DictReader(p.open()):
            print(f"{row['parameter']}={row['median']}")
PY
  for f in scenarios/*.toml; do
    b=$(basename "$f")
    mechs=$("$PROMOSIM" show "$f" | grep -oE '^\[mechanisms\.[a-z_]+\]' | tr -d '[]' || true)
    sets=()
    while IFS= read -r kv; do
      m=$(cut -d. -f1-2 <<< "$kv")
      if grep -qx "$m" <<< "$mechs"; then sets+=(--set "$kv"); fi
    done < "$OUT/medians.txt"
    if ((${#sets[@]})); then
      "$PROMOSIM" show "$f" "${sets[@]}" > "$C/scenarios/$b"
      echo "$b: $((${#sets[@]} / 2)) medians written" >> "$OUT/combined.log"
    else
      cp "$f" "$C/scenarios/$b"
    fi
  done
  nice -n 19 "$PROMOSIM" calibrate --targets "$C/calibration/field.toml" \
    --trials "${CHECK_TRIALS:-200}" > "$OUT/combined_check.md" 2> "$OUT/combined_check.err"
fi

# Report: per section, the generations reached and the last tolerance; every parameter's
# posterior median, 90% credible interval and 90% width relative to the prior's.
if [[ $STAGE == report || $STAGE == all ]]; then
  python3 - "$OUT" > "$OUT/report.md" <<'PY'
import csv, pathlib, sys
out = pathlib.Path(sys.argv[1])
secs = ["rp", "qa", "votes", "proofs_fakes", "proofs_posting", "proofs_reach", "levers_flash", "levers"]
print("| section | generations | last eps | last acceptance | simulations | ABC seconds |")
print("|---|---|---|---|---|---|")
for s in secs:
    g = out / s / "generations.csv"
    if not g.exists():
        continue
    rows = list(csv.DictReader(g.open()))
    last = rows[-1]
    secs_total = sum(float(r["wall_seconds"]) for r in rows)
    print(f"| {s} | {len(rows)} | {float(last['epsilon']):.4g} | {float(last['acceptance_rate']):.3f} "
          f"| {last['cumulative_simulations']} | {secs_total:.0f} |")
print()
print("| parameter | prior | median | 90% interval | 90% width / prior's | identified |")
print("|---|---|---|---|---|---|")
for s in secs:
    p = out / s / "posterior.csv"
    if not p.exists():
        continue
    for r in csv.DictReader(p.open()):
        w = float(r["width_ratio_90"])
        print(f"| `{r['parameter']}` | {r['prior']} | {float(r['median']):.4g} "
              f"| [{float(r['q05']):.4g}, {float(r['q95']):.4g}] | {w:.2f} "
              f"| {'poorly' if w > 0.5 else 'yes'} |")
PY
  cat "$OUT/report.md"
fi
