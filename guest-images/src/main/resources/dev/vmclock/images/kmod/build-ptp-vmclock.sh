#!/bin/sh
# Runs inside the trixie kernel-module build container (build-image.sh starts it once), whose image has gcc-14,
# make, and the linux-headers-<abi>-cloud-amd64, linux-kbuild-<abi> and linux-source-<major.minor> packages.
#   build-ptp-vmclock.sh MODDIR KERNEL_VERSION MAJOR.MINOR KERNEL_RELEASE
#       checks that the headers and the source are KERNEL_VERSION (the guest kernel package's own), takes
#       drivers/ptp/ptp_vmclock.c out of the source tarball, applies MODDIR/patches/*.patch in name order (with
#       MODDIR/busybox patch), builds
#       MODDIR/ptp_vmclock.ko against /usr/src/linux-headers-KERNEL_RELEASE; writes MODDIR/packages (name version,
#       and "tarball NAME SHA256") and MODDIR/gcc-version
# Failures: 'ERROR: <cause>; <fix>' on stderr, exit 6 (version mismatch) or 8.
set -eu
fail() { echo "ERROR: $2" >&2; exit "$1"; }
mod=$1 kver=$2 mm=$3 release=$4
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
tar -xf "$tarball" -C /tmp/src --wildcards '*/drivers/ptp/ptp_vmclock.c' \
  || fail 8 "no drivers/ptp/ptp_vmclock.c in $tarball (the driver needs Linux >= 6.13)"
src=$(find /tmp/src -path '*/drivers/ptp/ptp_vmclock.c' -type f | sed -n 1p)
tree=${src%/drivers/ptp/ptp_vmclock.c}
# The image has no patch(1): the host's static busybox (which build-image.sh puts in MODDIR) applies them.
for p in "$mod"/patches/*.patch; do
  (cd "$tree" && "$mod/busybox" patch -p1 -i "$p" >&2) \
    || fail 8 "$(basename "$p") does not apply to drivers/ptp/ptp_vmclock.c of linux-source-$mm $kver; adapt the patch"
done
cp "$src" "$mod/ptp_vmclock.c"
echo 'obj-m := ptp_vmclock.o' > "$mod/Kbuild"
headers=/usr/src/linux-headers-$release
[ -f "$headers/Makefile" ] || fail 8 "no $headers/Makefile in the kbuild image; rebuild it for kernel ABI ${release%-cloud-amd64}"
make -C "$headers" M="$mod" KBUILD_BUILD_TIMESTAMP="@${SOURCE_DATE_EPOCH:-0}" modules >&2 \
  || fail 8 "make of the broken ptp_vmclock.ko failed (see the compiler output above)"
strip --strip-debug "$mod/ptp_vmclock.ko"
sed -n 's/^CONFIG_CC_VERSION_TEXT="\(.*\)"$/\1/p' "$headers/.config" | sed -n 1p > "$mod/gcc-version"
