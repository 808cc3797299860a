#!/bin/sh
# Runs inside the trixie kernel-module build container (build-image.sh starts it twice), whose image has
# gcc-14, make, and the linux-headers-<abi>-cloud-amd64, linux-kbuild-<abi> and linux-source-<major.minor>
# packages installed.
#   build-virtio-rtc.sh sources MODDIR KERNEL_VERSION MAJOR.MINOR KERNEL_RELEASE
#       checks that the headers and the source are KERNEL_VERSION (the guest kernel package's own), copies the
#       driver's files out of the source tarball into MODDIR, writes MODDIR/packages (name version sha256)
#   build-virtio-rtc.sh build MODDIR KERNEL_RELEASE
#       builds MODDIR/virtio_rtc.ko against /usr/src/linux-headers-KERNEL_RELEASE, writes MODDIR/gcc-version
# Failures: 'ERROR: <cause>; <fix>' on stderr, exit 6 (version mismatch) or 8.
set -eu
fail() { echo "ERROR: $2" >&2; exit "$1"; }
step=$1 mod=$2
case "$step" in
sources)
  kver=$3 mm=$4 release=$5
  : > "$mod/packages"
  for p in "linux-headers-$release" "linux-kbuild-${release%-cloud-amd64}" "linux-source-$mm"; do
    v=$(dpkg-query -W -f '${Version}' "$p" 2>/dev/null) || fail 8 "package $p is not installed in the kbuild image; rebuild it for kernel ABI ${release%-cloud-amd64}"
    [ "$v" = "$kver" ] || fail 6 "$p is $v in the kbuild image but the guest kernel is $kver; rebuild the kbuild image (debian-image.sh build kbuild ${release%-cloud-amd64}) so the module matches the kernel"
    echo "$p $v" >> "$mod/packages"
  done
  tarball=$(ls /usr/src/linux-source-"$mm".tar.* 2>/dev/null | sed -n 1p)
  [ -n "$tarball" ] || fail 8 "linux-source-$mm installed no /usr/src/linux-source-$mm.tar.*"
  echo "tarball $(basename "$tarball") $(sha256sum "$tarball" | cut -d' ' -f1)" >> "$mod/packages"
  mkdir -p /tmp/src
  tar -xf "$tarball" -C /tmp/src --wildcards '*/drivers/virtio/virtio_rtc_*' \
    || fail 8 "no drivers/virtio/virtio_rtc_* in $tarball (the driver needs Linux >= 6.16)"
  for f in virtio_rtc_driver.c virtio_rtc_ptp.c virtio_rtc_class.c virtio_rtc_internal.h; do
    src=$(find /tmp/src -path "*/drivers/virtio/$f" -type f | sed -n 1p)
    [ -n "$src" ] || fail 8 "no drivers/virtio/$f in $tarball"
    cp "$src" "$mod/$f"
  done ;;
build)
  release=$3
  headers=/usr/src/linux-headers-$release
  [ -f "$headers/Makefile" ] || fail 8 "no $headers/Makefile in the kbuild image; rebuild it for kernel ABI ${release%-cloud-amd64}"
  make -C "$headers" M="$mod" KBUILD_BUILD_TIMESTAMP="@${SOURCE_DATE_EPOCH:-0}" modules >&2 \
    || fail 8 "make of virtio_rtc.ko failed (see the compiler output above)"
  strip --strip-debug "$mod/virtio_rtc.ko"
  sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$headers/.config" | sed -n 1p > "$mod/gcc-version" ;;
*) fail 8 "unknown step $step" ;;
esac
