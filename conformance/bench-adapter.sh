#!/usr/bin/env bash
# Wall time of the full suite through the reference adapter (--vmm exec:) beside the built-in QEMU provider, on the
# same QEMU, rounds alternating so that a change in the host's load falls on both; medians of N, and each pair of
# runs' clause verdicts compared (report.json).
#   conformance/bench-adapter.sh [ROUNDS] [QEMU]      (defaults: 3, /usr/bin/qemu-system-x86_64)
# Exit 10 when a round fails (exit other than 0 or 1), 11 when a pair's verdicts differ.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds=${1:-3}
qemu=${2:-/usr/bin/qemu-system-x86_64}
work=$(mktemp -d /tmp/vmclock-bench-adapter.XXXXXX)
trap 'rm -rf "$work"' EXIT

# v1 passes the adapter no arguments: a wrapper names the QEMU, as a vendor's would.
adapter="$work/qemu-adapter"
printf '#!/bin/sh\nexec %q --qemu %q "$@"\n' "$root/conformance/adapters/qemu-adapter.py" "$qemu" >"$adapter"
chmod +x "$adapter"

# Seconds (with ms) that "$@" takes; its output goes to $work/last.log, kept when it fails.
timed() {
  local t0 t1
  t0=$(date +%s%N)
  local code=0
  "$@" >"$work/last.log" 2>&1 || code=$?
  # exit 1 is the suite's gate (a FAIL is still a finished run); anything else is a broken round
  if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
    cp "$work/last.log" /tmp/vmclock-bench-adapter-failed.log
    echo "bench-adapter: round failed (exit $code): $* (log: /tmp/vmclock-bench-adapter-failed.log)" >&2
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

# Clause id and verdict per line, from a run's report.json.
verdicts() {
  python3 -c 'import json,sys; [print(c["id"], c["verdict"]) for c in json.load(open(sys.argv[1]))["clauses"]]' "$1"
}

./vmclock-conformance --help >/dev/null 2>&1 || true # builds the CLI once, outside the timings
# The first run after a build writes the launcher's class archive (a few seconds, once): outside the timings too.
[ -f reports/target/cli.jsa ] || ./vmclock-conformance run --qemu "$qemu" --out "$work/warm-up" >/dev/null 2>&1 || true
builtin=() exec=()
for i in $(seq 1 "$rounds"); do
  builtin+=("$(timed ./vmclock-conformance run --qemu "$qemu" --out "$work/builtin-$i")")
  grep -E '^[0-9]+ clauses in' "$work/last.log" | sed "s/^/  round $i built-in: /"
  exec+=("$(timed ./vmclock-conformance run --vmm "exec:$adapter" --out "$work/exec-$i")")
  grep -E '^[0-9]+ clauses in' "$work/last.log" | sed "s/^/  round $i exec:    /"
  if ! diff <(verdicts "$work/builtin-$i/report.json") <(verdicts "$work/exec-$i/report.json") >"$work/diff"; then
    echo "bench-adapter: round $i: clause verdicts differ (< built-in, > exec:):" >&2
    cat "$work/diff" >&2
    exit 11
  fi
  echo "  round $i: $(verdicts "$work/exec-$i/report.json" | wc -l) clause verdicts identical"
done
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); QEMU: $("$qemu" --version | head -n 1)"
report "built-in provider (run --qemu)" "${builtin[@]}"
report "reference adapter (run --vmm exec:)" "${exec[@]}"
