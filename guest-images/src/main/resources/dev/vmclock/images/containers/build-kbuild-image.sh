#!/usr/bin/env bash
# The kernel-module build image for a trixie-backports cloud kernel: prints its tag, building it first
# when this Docker host does not have it.   build-kbuild-image.sh KERNEL_ABI   (e.g. 7.3.4+deb13)
set -euo pipefail
[ $# -eq 1 ] || { echo "ERROR: usage: build-kbuild-image.sh KERNEL_ABI (e.g. 7.3.4+deb13)" >&2; exit 2; }
exec bash "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/debian-image.sh" build kbuild "$1"
