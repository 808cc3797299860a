#!/usr/bin/env bash
# Test recipe: a fake build. Counts builds in OUTDIR/../fake-builds.log, takes a moment, writes
# placeholder outputs and a manifest.
set -euo pipefail
out=$1
echo "fake build into $out"
echo "build $$" >> "$out/../fake-builds.log"
sleep 0.3
printf 'not a kernel' > "$out/vmlinuz"
printf 'not an ELF' > "$out/vmlinux"
printf 'not an initramfs' > "$out/initramfs.cpio.gz"
printf '{"kernel_release": "6.99.0-fake", "recipe_hash": "%s", "outputs": {"vmlinux": {"boot": "PVH"}}}\n' "${VMCLOCK_RECIPE_HASH:-}" > "$out/manifest.json"
