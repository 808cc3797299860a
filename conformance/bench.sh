#!/usr/bin/env bash
# Prints wall times of the suite on this machine (median of N rounds; the figures the redesign issue asks for).
#   conformance/bench.sh [ROUNDS]        full suite (./vmclock-conformance run) and one clause (--select VMC-LAYOUT-01)
#   conformance/bench.sh ci [ROUNDS]     CI: a fresh clone, then `bash .ci/run` (what CI runs), per round
# Extra options for `run` go in VMCLOCK_BENCH_ARGS (e.g. "--container IMAGE"). Exit 10 when a round fails.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=suite
if [ "${1:-}" = ci ]; then mode=ci; shift; fi
rounds=${1:-3}
work=$(mktemp -d /tmp/vmclock-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

# Seconds (with ms) that "$@" takes; its output goes to $work/last.log, kept when it fails.
timed() {
  local t0 t1
  t0=$(date +%s%N)
  local code=0
  "$@" >"$work/last.log" 2>&1 || code=$?
  # exit 1 is the suite's gate (a FAIL is still a finished run); anything else is a broken round
  if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
    cp "$work/last.log" /tmp/vmclock-bench-failed.log
    echo "bench: round failed (exit $code): $* (log: /tmp/vmclock-bench-failed.log)" >&2
    exit 10
  fi
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1e9 }'
}

median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

report() {
  local label=$1; shift
  printf '%-44s median %6s s   rounds: %s\n' "$label" "$(median "$@")" "$*"
}

# shellcheck disable=SC2086
if [ "$mode" = suite ]; then
  ./vmclock-conformance --help >/dev/null 2>&1 || true # builds the CLI once, outside the timings
  # The first run after a build writes the launcher's class archive (a few seconds, once): outside the timings too.
  [ -f reports/target/cli.jsa ] || ./vmclock-conformance run ${VMCLOCK_BENCH_ARGS:-} --out "$work/warm-up" >/dev/null 2>&1 || true
  full=() one=()
  for i in $(seq 1 "$rounds"); do
    full+=("$(timed ./vmclock-conformance run ${VMCLOCK_BENCH_ARGS:-} --out "$work/full-$i")")
    grep -E '^[0-9]+ clauses in' "$work/last.log" | sed "s/^/  round $i: /"
    one+=("$(timed ./vmclock-conformance run ${VMCLOCK_BENCH_ARGS:-} --select VMC-LAYOUT-01 --out "$work/one-$i")")
  done
  echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
  report "full suite (run)" "${full[@]}"
  report "one clause (run --select VMC-LAYOUT-01)" "${one[@]}"
else
  ci=()
  for i in $(seq 1 "$rounds"); do
    git clone -q "$root" "$work/clone-$i"
    ci+=("$(timed bash "$work/clone-$i/.ci/run")")
    grep -E 'Tests run:.*Time elapsed' "$work/last.log" | sort -t: -k6 -rn | head -n 5 | sed "s/^/  round $i: /"
  done
  report "CI (fresh clone, bash .ci/run)" "${ci[@]}"
fi
