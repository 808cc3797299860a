#!/bin/sh
# Runs inside the trixie kernel-module build container (build-image.sh starts it): installs the kernel's
# header packages into the container's own root (the container is thrown away), then builds the module.
#   build-virtio-rtc.sh DEBDIR MODDIR KERNEL_RELEASE
# DEBDIR holds linux-headers-*, linux-kbuild-* .debs; MODDIR the driver's sources and its Kbuild.
set -eu
debs=$1 mod=$2 release=$3
for deb in "$debs"/*.deb; do
  dpkg-deb -x "$deb" /
done
headers=/usr/src/linux-headers-$release
[ -f "$headers/Makefile" ] || { echo "ERROR: no $headers/Makefile after unpacking the header packages" >&2; exit 8; }
gcc_version=$(sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$headers/.config" 2>/dev/null | sed -n 1p)
echo "kernel built with: ${gcc_version:-?}; container gcc: $(gcc --version | sed -n 1p)" >&2
# The kernel was built with gcc-N; Debian's headers call that exact compiler.
make -C "$headers" M="$mod" KBUILD_BUILD_TIMESTAMP="@${SOURCE_DATE_EPOCH:-0}" modules >&2
strip --strip-debug "$mod/virtio_rtc.ko"
gcc --version | sed -n 1p > "$mod/gcc-version"
