#!/usr/bin/env bash
# Boot time of the built guest image, its vmlinux (PVH entry) against its bzImage: QEMU start to the agent's ready
# line on the serial console, under TCG on q35 with VMClock, as the harness boots it. Median of N (default 3) each.
#
#   guest-images/bench-boot.sh IMAGE_DIR [N] [QEMU]
#     IMAGE_DIR  a built image (~/.cache/vmclock-conformance/images/<hash>), holding vmlinuz, vmlinux, initramfs.cpio.gz
set -euo pipefail
dir=${1:?usage: bench-boot.sh IMAGE_DIR [N] [QEMU]}; n=${2:-3}; qemu=${3:-/usr/bin/qemu-system-x86_64}
cmdline="console=ttyS0 panic=-1 quiet mitigations=off initcall_blacklist=load_system_certificate_list tsc=reliable"
cmdline+=" no_timer_check cryptomgr.notests audit=0 nowatchdog"
work=$(mktemp -d); pid=""
trap '[ -z "$pid" ] || kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT

boot_ms() { # KERNEL: milliseconds from QEMU start to "vmclock-agent: ready"
  : > "$work/console"
  local t0 t; t0=$(date +%s%N)
  "$qemu" -machine q35 -accel tcg -m 256 -nodefaults -display none -no-reboot -device vmclock \
    -kernel "$1" -initrd "$dir/initramfs.cpio.gz" -append "$cmdline" -serial "file:$work/console" \
    -device virtio-serial-pci -chardev "socket,id=agent,path=$work/agent.sock,server=on,wait=off" \
    -device virtserialport,chardev=agent,name=dev.vmclock.agent.0 2>"$work/qemu.err" & pid=$!
  until grep -q 'vmclock-agent: ready' "$work/console"; do
    kill -0 "$pid" 2>/dev/null || { echo "QEMU exited before the agent was ready; console: $(tail -3 "$work/console")" >&2; exit 1; }
    t=$(( ($(date +%s%N) - t0) / 1000000 )); [ "$t" -lt 60000 ] || { echo "no agent after 60 s" >&2; exit 1; }
    sleep 0.02
  done
  t=$(( ($(date +%s%N) - t0) / 1000000 ))
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  echo "$t"
}
# Interleaved, so a change of the machine's load during the runs weighs on both forms alike.
declare -A runs=()
for _ in $(seq "$n"); do
  for kernel in vmlinuz vmlinux; do runs[$kernel]+="$(boot_ms "$dir/$kernel") "; done
done
for kernel in vmlinuz vmlinux; do
  median=$(printf '%s\n' ${runs[$kernel]} | sort -n | sed -n "$(( (n + 1) / 2 ))p")
  printf '%-8s boot to agent ready: median %5d ms  (runs: %s)\n' "$kernel" "$median" "${runs[$kernel]% }"
done
