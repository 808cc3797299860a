#!/usr/bin/env bash
# Test recipe: a build that "succeeds" without the ELF kernel.
set -euo pipefail
printf 'k' > "$1/vmlinuz"
printf 'i' > "$1/initramfs.cpio.gz"
printf '{"kernel_release": "6.99.0-fake"}\n' > "$1/manifest.json"
