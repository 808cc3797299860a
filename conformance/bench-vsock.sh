#!/usr/bin/env bash
# Wall time of the full suite with the agent over vsock (vhost-user-vsock + vhost-device-vsock) beside virtio-serial, on
# the same QEMU, rounds alternating so that a change in the host's load falls on both; medians of N. Each vsock run's
# verdicts are compared with the virtio-serial run's with the capabilities vhost-user-vsock takes away hidden
# (--without SNAPSHOT,LIVE_MIGRATION,FILE_RESTORE): they must be identical, clause by clause.
#   conformance/bench-vsock.sh [ROUNDS] [QEMU]      (defaults: 3, /usr/bin/qemu-system-x86_64)
# Exit 10 when a round fails (exit other than 0 or 1), 11 when verdicts differ.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
rounds=${1:-3}
qemu=${2:-/usr/bin/qemu-system-x86_64}
work=$(mktemp -d /tmp/vmclock-bench-vsock.XXXXXX)
trap 'rm -rf "$work"' EXIT
taken=SNAPSHOT,LIVE_MIGRATION,FILE_RESTORE

timed() { # seconds "$@" takes; exit 1 is the gate (a finished run), anything else a broken round
  local t0 t1 code=0
  t0=$(date +%s%N)
  "$@" >"$work/last.log" 2>&1 || code=$?
  t1=$(date +%s%N)
  if [ "$code" -ne 0 ] && [ "$code" -ne 1 ]; then
    cp "$work/last.log" /tmp/vmclock-bench-vsock-failed.log
    echo "bench-vsock: round failed (exit $code): $* (log: /tmp/vmclock-bench-vsock-failed.log)" >&2
    exit 10
  fi
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", (b - a) / 1e9 }'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
report() { local label=$1; shift; printf '%-62s median %6s s   rounds: %s\n' "$label" "$(median "$@")" "$*"; }
verdicts() { python3 -c 'import json,sys; [print(c["id"], c["verdict"]) for c in json.load(open(sys.argv[1]))["clauses"]]' "$1"; }

./vmclock-conformance --help >/dev/null 2>&1 || true # builds the CLI once, outside the timings
# The back end is fetched on first use and the launcher writes its class archive once: outside the timings too.
./vmclock-conformance run --qemu "$qemu" --agent-transport vsock --select VMC-LAYOUT-01 --out "$work/warm-up" >/dev/null 2>&1 || true
serial=() vsock=() without=()
for i in $(seq 1 "$rounds"); do
  serial+=("$(timed ./vmclock-conformance run --qemu "$qemu" --out "$work/serial-$i")")
  grep -E '^[0-9]+ clauses in' "$work/last.log" | sed "s/^/  round $i virtio-serial: /"
  vsock+=("$(timed ./vmclock-conformance run --qemu "$qemu" --agent-transport vsock --out "$work/vsock-$i")")
  grep -E '^[0-9]+ clauses in' "$work/last.log" | sed "s/^/  round $i vsock:         /"
  # The same events as over vsock, over virtio-serial: the transport's own cost, and the verdicts' oracle.
  without+=("$(timed ./vmclock-conformance run --qemu "$qemu" --without "$taken" --out "$work/oracle-$i")")
  grep -E '^[0-9]+ clauses in' "$work/last.log" | sed "s/^/  round $i serial, without: /"
  if ! diff <(verdicts "$work/oracle-$i/report.json") <(verdicts "$work/vsock-$i/report.json") >"$work/diff"; then
    echo "bench-vsock: round $i: vsock verdicts differ from virtio-serial --without $taken (< oracle, > vsock):" >&2
    cat "$work/diff" >&2
    exit 11
  fi
done
changed=$(diff <(verdicts "$work/serial-1/report.json") <(verdicts "$work/vsock-1/report.json") | grep -c '^>' || true)
report "virtio-serial (whole suite)" "${serial[@]}"
report "vsock (whole suite)" "${vsock[@]}"
report "virtio-serial --without $taken" "${without[@]}"
echo "verdicts: vsock = virtio-serial --without $taken in every round; $changed clauses differ from plain virtio-serial"
