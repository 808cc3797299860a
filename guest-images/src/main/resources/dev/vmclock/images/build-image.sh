#!/usr/bin/env bash
# Builds the vmclock conformance guest: a Debian cloud kernel (>= 6.13, for ptp_vmclock) and a
# gzip'd newc initramfs holding busybox (static, the host's), the static vmclock agent, /init,
# ptp_vmclock.ko and, when asked for, virtio_rtc.ko built out of tree from the same kernel version's
# linux-source and headers (Debian's kernels lack CONFIG_VIRTIO_RTC).
#
#   build-image.sh OUTDIR     writes OUTDIR/vmlinuz (bzImage), OUTDIR/vmlinux (the same kernel as a PVH-bootable ELF),
#                             OUTDIR/initramfs.cpio.gz, OUTDIR/manifest.json
#
# The kernel packages come from trixie-backports on the Debian mirror the machine's apt sources
# already use (debian-mirror.sh), fetched with a private apt state (nothing of the system's apt
# state, sources or installed packages changes; the packages are never installed). The Release
# signature is checked with the system's Debian archive keyring; when that keyring lacks the keys,
# a newer debian-archive-keyring .deb is fetched from the host's own suite, authenticated by the
# host's keyring, and used instead. Insecure repositories are never allowed.
#
# Environment (all optional):
#   VMCLOCK_RECIPE_HASH    recipe hash to record (GuestImageBuilder sets it; else computed here)
#   SOURCE_DATE_EPOCH      mtime for every initramfs entry and output (default: the kernel's own)
#   VMCLOCK_DEBIAN_MIRROR  mirror URI override (default: derived from the apt sources)
#   VMCLOCK_APT_KEYRING    keyring to verify the archive with (default: the system's)
#   VMCLOCK_BUSYBOX        static busybox to embed (default: /bin/busybox)
#   VMCLOCK_KEEP_WORK=1    keep the work directory (for debugging)
#   VMCLOCK_VIRTIO_RTC     none (default) | stock | broken-steps-back: build virtio_rtc.ko into the image;
#                          broken-steps-back applies a one-line fault (every second reading of any clock
#                          250 ms early, so time jumps back and forth) for the suite's self-test
#   VMCLOCK_PTP_VMCLOCK    stock (default: Debian's own ptp_vmclock.ko) | broken: ptp_vmclock.ko built from the same
#                          linux-source with kmod/ptp_vmclock/*.patch applied, the suite's deliberately broken guest
#                          driver: each defect off until named in its "fault" parameter or the SMBIOS OEM string
#                          ptp_vmclock.fault=NAME[,NAME] (QEMU -smbios type=11,value=...), so one image serves all
#   VMCLOCK_KBUILD_IMAGE   the Docker image (trixie, gcc-14, the kernel's headers and linux-source) virtio_rtc.ko
#                          is built in; never pulled. Default: the one containers/debian-image.sh builds for
#                          the chosen kernel ABI (built on first use)
#
# Failures print one line 'ERROR: <cause>; <fix>' and exit with:
#   2 usage, 3 missing host tool, 4 download failed, 5 signature verification failed,
#   6 no suitable kernel, 7 no Debian mirror in the apt sources, 8 bad package content.
set -euo pipefail
umask 022
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=debian-mirror.sh
. "$here/debian-mirror.sh"

suite=trixie-backports
flavour=cloud-amd64
min_major=6 min_minor=13

virtio_rtc=${VMCLOCK_VIRTIO_RTC:-none}
ptp_vmclock=${VMCLOCK_PTP_VMCLOCK:-stock}
kbuild_image=${VMCLOCK_KBUILD_IMAGE:-}

fail() { local code=$1; shift; printf 'ERROR: %s\n' "$*" >&2; exit "$code"; }
log() { printf 'build-image: [%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

[ $# -eq 1 ] && [ -n "$1" ] || fail 2 "usage: build-image.sh OUTDIR"
mkdir -p "$1" || fail 2 "cannot create output directory $1"
out=$(cd "$1" && pwd)

# --- host tools --------------------------------------------------------------------------------
for tool in apt-get apt-cache apt-config dpkg-deb gpgv gcc cpio gzip xz zstd readelf tar sha256sum find sort \
            touch stat awk sed ldd; do
  command -v "$tool" >/dev/null 2>&1 \
    || fail 3 "missing host tool '$tool'; run ./setup.sh (Debian 12) or install it"
done
case "$ptp_vmclock" in
  stock|broken) ;;
  *) fail 2 "VMCLOCK_PTP_VMCLOCK must be stock or broken (got '$ptp_vmclock')" ;;
esac
case "$virtio_rtc" in
  none) ;;
  stock|broken-steps-back) ;;
  *) fail 2 "VMCLOCK_VIRTIO_RTC must be none, stock or broken-steps-back (got '$virtio_rtc')" ;;
esac
needs_kbuild=false
{ [ "$virtio_rtc" = none ] && [ "$ptp_vmclock" = stock ]; } || needs_kbuild=true
case "$needs_kbuild" in
  false) ;;
  true)
    command -v docker >/dev/null 2>&1 || fail 3 "missing host tool 'docker' (virtio_rtc.ko is built in a container); run ./setup.sh"
    if [ -n "$kbuild_image" ]; then
      docker image inspect "$kbuild_image" >/dev/null 2>&1 \
        || fail 3 "Docker image '$kbuild_image' (kernel-module build) is not on this Docker host; build or load it first (nothing is pulled)"
    else
      [ -f "$here/containers/debian-image.sh" ] \
        || fail 3 "virtio_rtc.ko and the broken ptp_vmclock.ko need the trixie kernel-module build image; set VMCLOCK_KBUILD_IMAGE (GuestImageBuilder.kbuildImage)"
    fi ;;
esac
busybox=${VMCLOCK_BUSYBOX:-/bin/busybox}
[ -x "$busybox" ] || fail 3 "missing host tool 'busybox' ($busybox); run ./setup.sh (package busybox-static)"
if LC_ALL=C ldd "$busybox" >/dev/null 2>&1; then
  fail 3 "$busybox is dynamically linked; run ./setup.sh (package busybox-static)"
fi
libc_a=$(gcc -print-file-name=libc.a)
[ -f "$libc_a" ] || fail 3 "gcc has no static libc (libc.a); run ./setup.sh (package libc6-dev)"

work=$(mktemp -d "${TMPDIR:-/tmp}/vmclock-image.XXXXXX")
kbuild_container=""
cleanup() {
  # Only the container this build started, by its own name.
  if [ -n "$kbuild_container" ]; then docker rm -f "$kbuild_container" >/dev/null 2>&1 || true; fi
  if [ -n "${VMCLOCK_KEEP_WORK:-}" ]; then log "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- recipe hash -------------------------------------------------------------------------------
# Same algorithm as GuestImageBuilder.recipeHash(): sha256 over, for each name in recipe.files,
# "<name>\n<byte length>\n<bytes>"; then, for an image with options (virtio_rtc, ptp_vmclock), the same
# for a pseudo-file "options" holding "virtio_rtc=<variant>\n" and/or "ptp_vmclock=broken\n", in that order.
computed_hash=""
options=""
[ "$virtio_rtc" = none ] || options="virtio_rtc=$virtio_rtc"$'\n'
[ "$ptp_vmclock" = stock ] || options+="ptp_vmclock=$ptp_vmclock"$'\n'
if [ -f "$here/recipe.files" ]; then
  computed_hash=$( { while IFS= read -r name; do
      [ -n "$name" ] || continue
      printf '%s\n%s\n' "$name" "$(stat -c %s "$here/$name")"; cat "$here/$name"
    done < "$here/recipe.files"
    if [ -n "$options" ]; then printf 'options\n%s\n%s' "${#options}" "$options"; fi; } | sha256sum | cut -d' ' -f1)
fi
recipe_hash=${VMCLOCK_RECIPE_HASH:-$computed_hash}
if [ -n "${VMCLOCK_RECIPE_HASH:-}" ] && [ -n "$computed_hash" ] && [ "$computed_hash" != "$VMCLOCK_RECIPE_HASH" ]; then
  fail 8 "recipe hash mismatch: GuestImageBuilder says $VMCLOCK_RECIPE_HASH, build-image.sh computes $computed_hash; keep both algorithms in sync"
fi

# --- mirror and private apt state --------------------------------------------------------------
host_codename=$( (. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}") || true)
mirror=$(debian_mirror "$suite" || debian_mirror trixie || debian_mirror || debian_mirror bookworm) \
  || fail 7 "no Debian mirror found in /etc/apt/sources.list{,.d}; set VMCLOCK_DEBIAN_MIRROR to a Debian archive URI"
log "mirror (from the apt sources): $mirror"

# Acquire settings the machine's apt configuration sets (proxies, validity checks) carry over;
# everything else (hooks, sources, lists, preferences, trusted keys) is replaced by private state.
apt_config_carry=$(apt-config dump 2>/dev/null \
  | grep -E '^Acquire::((http|https|ftp)::Proxy|Check-Valid-Until|Check-Date|Max-ValidTime|Min-ValidTime|http::Timeout|https::Timeout)' \
  || true)

APTOPTS=()
# apt_state DIR KEYRING SUITE...: a private apt state in DIR, sources = mirror SUITE..., 'main'.
apt_state() {
  local d=$1 keyring=$2; shift 2
  mkdir -p "$d"/lists/partial "$d"/cache/archives/partial "$d"/sources.list.d "$d"/preferences.d \
           "$d"/apt.conf.d "$d"/trusted.gpg.d
  : > "$d/status"; : > "$d/sources.list"; : > "$d/preferences"
  printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nArchitectures: amd64\nSigned-By: %s\n' \
    "$mirror" "$*" "$keyring" > "$d/sources.list.d/private.sources"
  {
    printf '%s\n' "$apt_config_carry"
    printf 'Dir::Etc::main "%s";\nDir::Etc::parts "%s";\n' "$d/apt.conf" "$d/apt.conf.d"
  } > "$d/apt-config"
  : > "$d/apt.conf"
  APTOPTS=(-o "Dir::State=$d" -o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status"
           -o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/sources.list.d"
           -o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/preferences.d"
           -o "Dir::Etc::Trusted=$d/trusted.gpg" -o "Dir::Etc::TrustedParts=$d/trusted.gpg.d"
           -o "Dir::Cache=$d/cache" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
           -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Acquire::Languages=none
           -o Acquire::Retries=3 -o Acquire::AllowInsecureRepositories=false
           -o Acquire::AllowDowngradeToInsecureRepositories=false -o Debug::NoLocking=true)
  if [ "$(id -u)" -eq 0 ]; then APTOPTS+=(-o APT::Sandbox::User=root); fi
  APT_STATE_DIR=$d
}
papt_get() { APT_CONFIG="$APT_STATE_DIR/apt-config" apt-get -q "${APTOPTS[@]}" "$@"; }
papt_cache() { APT_CONFIG="$APT_STATE_DIR/apt-config" apt-cache "${APTOPTS[@]}" "$@"; }
# verified_update SUITE...: apt-get update; true if every SUITE's Release was authenticated
# (apt keeps no Release it could not verify). apt-get's own status is left in UPDATE_RC.
verified_update() {
  local s
  UPDATE_RC=0
  papt_get update >&2 || UPDATE_RC=$?
  for s in "$@"; do
    compgen -G "$APT_STATE_DIR/lists/*_dists_${s}_InRelease" >/dev/null \
      || compgen -G "$APT_STATE_DIR/lists/*_dists_${s}_Release.gpg" >/dev/null || return 1
  done
}

keyring=""
for k in ${VMCLOCK_APT_KEYRING:-} /usr/share/keyrings/debian-archive-keyring.gpg \
         /usr/share/keyrings/debian-archive-keyring.pgp; do
  if [ -r "$k" ]; then keyring=$k; break; fi
done
[ -n "$keyring" ] || fail 5 "no Debian archive keyring; run ./setup.sh (package debian-archive-keyring) or set VMCLOCK_APT_KEYRING"
keyring_source="host keyring $keyring"

log "apt-get update ($suite, keyring $keyring)"
apt_state "$work/apt" "$keyring" "$suite"
if ! verified_update "$suite"; then
  # The system keyring may predate trixie's keys. Fetch the newest debian-archive-keyring that the
  # host's own (still trusted) suites offer, authenticated by the system keyring, and retry.
  [ -n "$host_codename" ] || fail 5 "$suite Release could not be verified with $keyring and the host suite is unknown; update debian-archive-keyring or set VMCLOCK_APT_KEYRING"
  log "$suite not verifiable with $keyring; fetching a newer keyring from $host_codename (verified by $keyring)"
  apt_state "$work/apt-keyring" "$keyring" "$host_codename" "$host_codename-updates" "$host_codename-backports"
  verified_update "$host_codename" || fail 5 "could not verify the $host_codename Release with $keyring; check the mirror and the system clock"
  mkdir -p "$work/keyring-deb" && (cd "$work/keyring-deb" && papt_get download debian-archive-keyring >&2) \
    || fail 4 "download of debian-archive-keyring failed; check the network and the mirror $mirror"
  dpkg-deb -x "$work"/keyring-deb/debian-archive-keyring_*.deb "$work/keyring-root"
  keyring=""
  for k in "$work"/keyring-root/usr/share/keyrings/debian-archive-keyring.{pgp,gpg}; do
    if [ -r "$k" ]; then keyring=$k; break; fi
  done
  [ -n "$keyring" ] || fail 8 "debian-archive-keyring .deb holds no keyring"
  keyring_source="$(basename "$work"/keyring-deb/debian-archive-keyring_*.deb) from $host_codename, verified with $keyring_source"
  apt_state "$work/apt" "$keyring" "$suite"
  verified_update "$suite" \
    || fail 5 "the $suite Release signature could not be verified (even with the newest $host_codename keyring); no insecure fallback is used"
fi
[ "$UPDATE_RC" -eq 0 ] || fail 4 "apt-get update of $suite failed (status $UPDATE_RC); check the network and the mirror $mirror"

# --- kernel selection --------------------------------------------------------------------------
pkg_version() { papt_cache show --no-all-versions "$1" 2>/dev/null | awk '/^Version:/ { print $2; exit }'; }
abis=$(papt_cache pkgnames linux- \
       | sed -nE "s/^linux-(binary|image)-([0-9]+\.[0-9]+[^-]*)-${flavour}\$/\2/p" | sort -u -V -r)
layout="" abi=""
for cand in $abis; do
  mm=${cand%%[+-]*}; major=${mm%%.*}; rest=${mm#*.}; minor=${rest%%.*}
  if [ "$major" -lt "$min_major" ] || { [ "$major" -eq "$min_major" ] && [ "$minor" -lt "$min_minor" ]; }; then
    continue
  fi
  binv=$(pkg_version "linux-binary-$cand-$flavour"); modv=$(pkg_version "linux-modules-$cand-$flavour")
  if [ -n "$binv" ] && [ -n "$modv" ]; then layout=split abi=$cand; break; fi
  imgv=$(pkg_version "linux-image-$cand-$flavour")
  if [ -n "$imgv" ]; then layout=image abi=$cand; break; fi
done
[ -n "$abi" ] || fail 6 "no $flavour kernel >= $min_major.$min_minor in $suite; check the mirror or use GuestImage.of(kernel, initramfs)"
if [ "$layout" = split ]; then
  pkgs=("linux-binary-$abi-$flavour=$binv" "linux-modules-$abi-$flavour=$modv")
else
  pkgs=("linux-image-$abi-$flavour=$imgv")
fi
log "kernel: $abi ($layout layout): ${pkgs[*]}"

mkdir -p "$work/debs"
for p in "${pkgs[@]}"; do
  log "apt-get download $p"
  (cd "$work/debs" && papt_get download "$p" >&2) \
    || fail 4 "download of package ${p%%=*} (version ${p#*=}) from $suite failed; check the network and the mirror $mirror"
done

# --- extract kernel and module -----------------------------------------------------------------
mkdir -p "$work/x"
for deb in "$work"/debs/*.deb; do
  dpkg-deb --fsys-tarfile "$deb" \
    | tar -x -C "$work/x" --wildcards '*/vmlinuz*' '*/kernel/drivers/ptp/ptp_vmclock.ko*' \
          '*/kernel/drivers/virtio/virtio_mmio.ko*' 2>/dev/null || true
done
vmlinuz=$(find "$work/x" \( -path '*/lib/modules/*/vmlinuz' -o -path '*/boot/vmlinuz-*' \) -type f | sed -n 1p)
[ -n "$vmlinuz" ] || fail 8 "no vmlinuz in ${pkgs[*]}; the Debian package layout changed: adapt build-image.sh"
ko_packed=$(find "$work/x" -path '*/kernel/drivers/ptp/ptp_vmclock.ko*' -type f | sed -n 1p)
[ -n "$ko_packed" ] || fail 8 "no ptp_vmclock.ko in ${pkgs[*]}; the kernel lacks the vmclock driver"
kernel_release=${ko_packed#*/lib/modules/}; kernel_release=${kernel_release%%/*}
unpack_ko() { # PACKED OUT
  case "$1" in
    *.ko.xz)  xz -dc "$1" > "$2" ;;
    *.ko.zst) command -v zstd >/dev/null || fail 3 "missing host tool 'zstd'; run ./setup.sh"
              zstd -qdc "$1" > "$2" ;;
    *.ko.gz)  gzip -dc "$1" > "$2" ;;
    *.ko)     cp "$1" "$2" ;;
    *)        fail 8 "unknown module compression: $1" ;;
  esac
}
unpack_ko "$ko_packed" "$work/ptp_vmclock.ko"
# microvm has no PCI: the agent's virtio-serial port sits on virtio-mmio, a module in Debian's kernels.
mmio_packed=$(find "$work/x" -path '*/kernel/drivers/virtio/virtio_mmio.ko*' -type f | sed -n 1p)
[ -z "$mmio_packed" ] || unpack_ko "$mmio_packed" "$work/virtio_mmio.ko"
# vsock, the agent's other transport (Firecracker, Cloud Hypervisor, QEMU's vhost-user-vsock): the core and its
# virtio transport, loaded by /init in this order; absent when the kernel has them built in.
vsock_modules=""
for deb in "$work"/debs/*.deb; do
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/x" --wildcards '*/kernel/net/vmw_vsock/*' 2>/dev/null || true
done
for m in vsock vmw_vsock_virtio_transport_common vmw_vsock_virtio_transport; do
  packed=$(find "$work/x" -path "*/kernel/net/vmw_vsock/$m.ko*" -type f | sed -n 1p)
  [ -z "$packed" ] || { unpack_ko "$packed" "$work/$m.ko"; vsock_modules+="$m "; }
done
modinfo_field() { tr '\0' '\n' < "$work/ptp_vmclock.ko" | sed -n "s/^$1=//p" | sed -n 1p; }
vermagic=$(modinfo_field vermagic); vermagic=${vermagic%% *}
[ "$vermagic" = "$kernel_release" ] || fail 8 "ptp_vmclock.ko vermagic '$vermagic' != kernel release '$kernel_release'"
module_srcversion=$(modinfo_field srcversion)
log "kernel release $kernel_release, ptp_vmclock srcversion ${module_srcversion:-?}"

# Fixed timestamps: the kernel package's own date unless the caller chose one.
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(stat -c %Y "$vmlinuz")}

# --- virtio_rtc.ko, out of tree --------------------------------------------------------------------
# From linux-source-<major.minor> of exactly the kernel package's version, against that kernel's headers,
# both installed in the kbuild image (trixie, gcc-14: what Debian built the kernel with). No module
# signature: Debian's kernels do not enforce them.
rtc_json=null
kbuild() { # STEP ARGS...: build-virtio-rtc.sh in a fresh container of the kbuild image, no network
  kbuild_container=vmclock-kbuild-$$-$RANDOM
  docker run --rm --pull=never --network none --name "$kbuild_container" -e SOURCE_DATE_EPOCH \
      -v "$work/kbuild:$work/kbuild" "$kbuild_image" \
      sh -c 'owner=$1; shift; sh "$@"; rc=$?; chown -R "$owner" "$3"; exit $rc' \
      sh "$(id -u):$(id -g)" "$work/kbuild/build-virtio-rtc.sh" "$@" >&2
  local rc=$?
  kbuild_container=""
  return $rc
}
if [ "$needs_kbuild" = true ] && [ -z "$kbuild_image" ]; then
  log "kbuild image for kernel ABI $abi (containers/debian-image.sh build kbuild $abi; built once per Docker host)"
  rc=0
  kbuild_image=$(bash "$here/containers/debian-image.sh" build kbuild "$abi" 2>"$work/kbuild-image.log") || rc=$?
  cat "$work/kbuild-image.log" >&2
  [ "$rc" -eq 0 ] && [ -n "$kbuild_image" ] \
    || fail 3 "the kernel-module build image for $abi could not be built: $(sed -n 's/^ERROR: //p' "$work/kbuild-image.log" | tail -n 1)"
fi
if [ "$virtio_rtc" != none ]; then
  kver=${binv:-$imgv}
  mm=${abi%%[+-]*}; mm=${mm%.*}
  mkdir -p "$work/kbuild/mod"
  install -m 0755 "$here/kmod/build-virtio-rtc.sh" "$work/kbuild/build-virtio-rtc.sh"
  log "virtio_rtc.ko ($virtio_rtc): sources of linux-source-$mm $kver from $kbuild_image"
  kbuild sources "$work/kbuild/mod" "$kver" "$mm" "$kernel_release" || {
    rc=$?; [ "$rc" -eq 6 ] && fail 6 "the kbuild image $kbuild_image does not match kernel $kver (see the line above)"
    fail 8 "could not take virtio_rtc's sources from $kbuild_image (see the line above)"; }
  install -m 0644 "$here/kmod/virtio_rtc.Kbuild" "$work/kbuild/mod/Kbuild"
  rtc_patch=""
  if [ "$virtio_rtc" = broken-steps-back ]; then
    # The self-test's guest-level fault, one line after viortc_read() takes the device's reading: every
    # second reading of any clock comes out 250 ms early.
    rtc_patch='{ static unsigned int viortc_fault; *reading -= (viortc_fault++ & 1) * 250 * NSEC_PER_MSEC; }'
    sed -i "/^int viortc_read(/,/^}/ s|^\([[:space:]]*\)VIORTC_MSG_READ(hdl, clock_reading, reading);\$|&\n\1${rtc_patch//&/\\&}|" \
      "$work/kbuild/mod/virtio_rtc_driver.c"
    [ "$(grep -c viortc_fault "$work/kbuild/mod/virtio_rtc_driver.c")" = 1 ] \
      || fail 8 "the broken-steps-back patch did not apply to linux-source-$mm $kver's viortc_read(); adapt build-image.sh"
  fi
  log "building virtio_rtc.ko in $kbuild_image"
  kbuild build "$work/kbuild/mod" "$kernel_release" || fail 8 "virtio_rtc.ko did not build in $kbuild_image (see the output above)"
  rtc_ko=$work/kbuild/mod/virtio_rtc.ko
  [ -f "$rtc_ko" ] || fail 8 "the kbuild container wrote no virtio_rtc.ko"
  rtc_vermagic=$(tr '\0' '\n' < "$rtc_ko" | sed -n 's/^vermagic=//p' | sed -n 1p); rtc_vermagic=${rtc_vermagic%% *}
  [ "$rtc_vermagic" = "$kernel_release" ] || fail 8 "virtio_rtc.ko vermagic '$rtc_vermagic' != kernel release '$kernel_release'"
  rtc_srcversion=$(tr '\0' '\n' < "$rtc_ko" | sed -n 's/^srcversion=//p' | sed -n 1p)
  log "virtio_rtc.ko built: srcversion ${rtc_srcversion:-?}, $(stat -c %s "$rtc_ko") bytes"
fi

# --- the broken ptp_vmclock.ko, out of tree -------------------------------------------------------
# The same linux-source as virtio_rtc's, its drivers/ptp/ptp_vmclock.c patched with every kmod/ptp_vmclock/*.patch
# (in name order: 00 adds the fault selection, each further one a defect guarded by its name), built against the
# kernel's headers; it replaces Debian's module at /lib/modules/ptp_vmclock.ko, which /init loads.
if [ "$ptp_vmclock" = broken ]; then
  kver=${binv:-$imgv}
  mm=${abi%%[+-]*}; mm=${mm%.*}
  mkdir -p "$work/kbuild/ptp/patches"
  install -m 0755 "$here/kmod/build-ptp-vmclock.sh" "$work/kbuild/build-ptp-vmclock.sh"
  patch_names=$(grep -E '^kmod/ptp_vmclock/[^/]+\.patch$' "$here/recipe.files" | sort)
  [ -n "$patch_names" ] || fail 8 "recipe.files lists no kmod/ptp_vmclock/*.patch"
  for p in $patch_names; do install -m 0644 "$here/$p" "$work/kbuild/ptp/patches/"; done
  install -m 0755 "$busybox" "$work/kbuild/ptp/busybox"
  log "ptp_vmclock.ko (broken): linux-source-$mm $kver + $(echo $patch_names | wc -w) patches, in $kbuild_image"
  kbuild_container=vmclock-kbuild-$$-$RANDOM
  rc=0
  docker run --rm --pull=never --network none --name "$kbuild_container" -e SOURCE_DATE_EPOCH \
      -v "$work/kbuild:$work/kbuild" "$kbuild_image" \
      sh -c 'owner=$1; shift; sh "$@"; rc=$?; chown -R "$owner" "$2"; exit $rc' \
      sh "$(id -u):$(id -g)" "$work/kbuild/build-ptp-vmclock.sh" "$work/kbuild/ptp" "$kver" "$mm" "$kernel_release" >&2 || rc=$?
  kbuild_container=""
  [ "$rc" -eq 6 ] && fail 6 "the kbuild image $kbuild_image does not match kernel $kver (see the line above)"
  [ "$rc" -eq 0 ] || fail 8 "the broken ptp_vmclock.ko did not build in $kbuild_image (see the output above)"
  ptp_ko=$work/kbuild/ptp/ptp_vmclock.ko
  [ -f "$ptp_ko" ] || fail 8 "the kbuild container wrote no ptp_vmclock.ko"
  ptp_vermagic=$(tr '\0' '\n' < "$ptp_ko" | sed -n 's/^vermagic=//p' | sed -n 1p); ptp_vermagic=${ptp_vermagic%% *}
  [ "$ptp_vermagic" = "$kernel_release" ] || fail 8 "ptp_vmclock.ko vermagic '$ptp_vermagic' != kernel release '$kernel_release'"
  cp "$ptp_ko" "$work/ptp_vmclock.ko"
  module_srcversion=$(tr '\0' '\n' < "$ptp_ko" | sed -n 's/^srcversion=//p' | sed -n 1p)
  read -r _ ptp_tarball ptp_tarball_sha < <(grep '^tarball ' "$work/kbuild/ptp/packages")
  log "ptp_vmclock.ko (broken) built: srcversion ${module_srcversion:-?}, $(stat -c %s "$ptp_ko") bytes"
fi

# --- agent -------------------------------------------------------------------------------------
log "compiling the agent"
gcc -static -Os -s -std=gnu11 -Wall -Wextra -ffile-prefix-map="$here"=. -o "$work/vmclock-agent" \
    "$here/agent/vmclock-agent.c" >&2 \
  || fail 3 "the agent did not compile with $(command -v gcc); run ./setup.sh (gcc, libc6-dev)"

# --- initramfs ---------------------------------------------------------------------------------
log "assembling the initramfs"
root=$work/root
mkdir -p "$root"/bin "$root"/dev "$root"/proc "$root"/sys "$root"/tmp "$root"/run "$root"/lib/modules
ln -s bin "$root/sbin"
install -m 0755 "$here/init" "$root/init"
install -m 0755 "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$work/vmclock-agent" "$root/bin/vmclock-agent"
install -m 0644 "$work/ptp_vmclock.ko" "$root/lib/modules/ptp_vmclock.ko"
[ ! -f "$work/virtio_mmio.ko" ] || install -m 0644 "$work/virtio_mmio.ko" "$root/lib/modules/virtio_mmio.ko"
[ "$virtio_rtc" = none ] || install -m 0644 "$rtc_ko" "$root/lib/modules/virtio_rtc.ko"
for m in $vsock_modules; do install -m 0644 "$work/$m.ko" "$root/lib/modules/$m.ko"; done
find "$root" -exec touch -h -d "@$SOURCE_DATE_EPOCH" {} +

# newc header for one entry with no data (a device node or the trailer); GNU cpio cannot add
# device nodes without root, so /dev/console is appended as a second archive, which the kernel
# unpacks like the first. Fields: ino mode uid gid nlink mtime size devmaj devmin rdevmaj rdevmin
# namesize check, each 8 hex digits; the header plus name is padded to 4 bytes.
newc_entry() { # NAME MODE RDEVMAJOR RDEVMINOR INO
  local name=$1 hdr pad
  hdr=$(printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
        "$5" "$2" 0 0 1 "$SOURCE_DATE_EPOCH" 0 0 0 "$3" "$4" $((${#name} + 1)) 0)
  printf '%s%s\0' "$hdr" "$name"
  pad=$(( (4 - (110 + ${#name} + 1) % 4) % 4 ))
  head -c "$pad" /dev/zero
}
{
  (cd "$root" && find . -mindepth 1 -printf '%P\n' | sort | cpio -o -H newc --reproducible -R 0:0 --quiet)
  newc_entry dev/console $((0020600)) 5 1 90001
  newc_entry TRAILER!!! 0 0 0 0
} > "$work/initramfs.cpio"

gzip -n -9 -c "$work/initramfs.cpio" > "$out/initramfs.cpio.gz"
install -m 0644 "$vmlinuz" "$out/vmlinuz"

# The ELF kernel inside the bzImage, booted through its PVH entry point: Firecracker and Cloud Hypervisor boot only
# that on x86, and QEMU skips the real-mode set-up and the decompressor with it (about a second of every TCG boot).
# No PVH note means a kernel those VMMs cannot boot: the build fails rather than yield half an image.
rc=0
vmlinux_info=$(bash "$here/extract-vmlinux.sh" "$vmlinuz" "$work/vmlinux" 2>"$work/extract.log") || rc=$?
if [ "$rc" -ne 0 ]; then
  why=$(sed -n 's/^ERROR: //p' "$work/extract.log" | tail -n 1)
  fail "$([ "$rc" -eq 3 ] && echo 3 || echo 8)" "${why:-extract-vmlinux.sh failed (exit $rc) on $vmlinuz; see the build log}"
fi
read -r vmlinux_compression vmlinux_offset vmlinux_pvh_entry <<<"$vmlinux_info"
log "vmlinux: $vmlinux_compression payload at offset $vmlinux_offset, PVH entry $vmlinux_pvh_entry"
install -m 0644 "$work/vmlinux" "$out/vmlinux"
touch -d "@$SOURCE_DATE_EPOCH" "$out/initramfs.cpio.gz" "$out/vmlinuz" "$out/vmlinux"

# --- manifest ----------------------------------------------------------------------------------
sha() { sha256sum "$1" | cut -d' ' -f1; }
json() { # a JSON string literal
  local s=$1
  s=${s//\\/\\\\}; s=${s//\"/\\\"}; s=${s//$'\n'/\\n}; s=${s//$'\t'/\\t}; s=${s//$'\r'/}
  printf '"%s"' "$s"
}
jsonn() { if [ -n "$1" ]; then json "$1"; else printf null; fi; } # a string, or null when empty
busybox_version=$("$busybox" 2>&1 | sed -n 1p | sed 's/ multi-call binary\.$//')
gcc_version=$(gcc --version | sed -n 1p)
packages_json=""
for p in "${pkgs[@]}"; do
  name=${p%%=*} version=${p#*=}
  deb=$(ls "$work"/debs/"${name}"_*.deb)
  packages_json+="${packages_json:+,}
    {\"name\": $(json "$name"), \"version\": $(json "$version"), \"suite\": $(json "$suite"), \"file\": $(json "$(basename "$deb")"), \"sha256\": $(json "$(sha "$deb")"), \"size\": $(stat -c %s "$deb")}"
done
if [ "$virtio_rtc" != none ]; then
  pkgs_rtc=""
  while read -r name version; do
    case "$name" in
      tarball) continue ;;
      *) pkgs_rtc+="${pkgs_rtc:+, }{\"name\": $(json "$name"), \"version\": $(json "$version")}" ;;
    esac
  done < "$work/kbuild/mod/packages"
  read -r _ tarball tarball_sha < <(grep '^tarball ' "$work/kbuild/mod/packages")
  rtc_json="{\"name\": \"virtio_rtc\", \"path\": \"/lib/modules/virtio_rtc.ko\", \"variant\": $(json "$virtio_rtc"),
    \"patch\": $(jsonn "$rtc_patch"), \"srcversion\": $(jsonn "$rtc_srcversion"), \"sha256\": $(json "$(sha "$rtc_ko")"), \"size\": $(stat -c %s "$rtc_ko"),
    \"source_package\": {\"name\": $(json "linux-source-$mm"), \"version\": $(json "$kver"), \"tarball\": $(json "$tarball"), \"tarball_sha256\": $(json "$tarball_sha")},
    \"build_packages\": [$pkgs_rtc],
    \"sources\": [\"drivers/virtio/virtio_rtc_driver.c\", \"drivers/virtio/virtio_rtc_ptp.c\", \"drivers/virtio/virtio_rtc_class.c\", \"drivers/virtio/virtio_rtc_internal.h\"],
    \"build_flags\": $(json "$(sed -n 's/^ccflags-y += //p' "$here/kmod/virtio_rtc.Kbuild")"),
    \"kbuild_image\": $(json "$kbuild_image"), \"kbuild_image_id\": $(json "$(docker image inspect -f '{{.Id}}' "$kbuild_image" 2>/dev/null || true)"),
    \"compiler\": $(json "$(cat "$work/kbuild/mod/gcc-version" 2>/dev/null || true)")}"
fi
ptp_json=""
if [ "$ptp_vmclock" = broken ]; then
  patches_json=""
  for p in $patch_names; do
    patches_json+="${patches_json:+, }{\"file\": $(json "$p"), \"sha256\": $(json "$(sha256sum "$here/$p" | cut -d' ' -f1)")}"
  done
  faults_json=$(sed -n 's/.*vmclock_fault("\([a-z-]*\)").*/\1/p' "$work/kbuild/ptp/ptp_vmclock.c" | sort -u \
    | while read -r f; do printf '%s"%s"' "${sep:-}" "$f"; sep=", "; done)
  ptp_json=", \"variant\": \"broken\", \"faults\": [$faults_json], \"patches\": [$patches_json],
    \"source_package\": {\"name\": $(json "linux-source-$mm"), \"version\": $(json "$kver"), \"tarball\": $(json "$ptp_tarball"), \"tarball_sha256\": $(json "$ptp_tarball_sha")},
    \"kbuild_image\": $(json "$kbuild_image"), \"compiler\": $(json "$(cat "$work/kbuild/ptp/gcc-version" 2>/dev/null || true)")"
fi
cat > "$out/manifest.json.tmp" <<EOF
{
  "format": 1,
  "recipe_hash": $(json "$recipe_hash"),
  "build_date": $(json "$(date -u +%Y-%m-%dT%H:%M:%SZ)"),
  "source_date_epoch": $SOURCE_DATE_EPOCH,
  "kernel_release": $(json "$kernel_release"),
  "kernel_abi": $(json "$abi"),
  "kernel_flavour": $(json "$flavour"),
  "suite": $(json "$suite"),
  "keyring": $(json "$keyring_source"),
  "keyring_sha256": $(json "$(sha "$keyring")"),
  "packages": [$packages_json
  ],
  "module": {"name": "ptp_vmclock", "path": "/lib/modules/ptp_vmclock.ko", "srcversion": $(jsonn "$module_srcversion"), "sha256": $(json "$(sha "$work/ptp_vmclock.ko")")$ptp_json},
  "virtio_rtc": $rtc_json,
  "busybox_version": $(json "$busybox_version"),
  "busybox_sha256": $(json "$(sha "$busybox")"),
  "gcc_version": $(json "$gcc_version"),
  "agent_sha256": $(json "$(sha "$work/vmclock-agent")"),
  "agent_source_sha256": $(json "$(sha "$here/agent/vmclock-agent.c")"),
  "init_sha256": $(json "$(sha "$here/init")"),
  "outputs": {
    "vmlinuz": {"sha256": $(json "$(sha "$out/vmlinuz")"), "size": $(stat -c %s "$out/vmlinuz")},
    "vmlinux": {"sha256": $(json "$(sha "$out/vmlinux")"), "size": $(stat -c %s "$out/vmlinux"), "boot": "PVH",
      "pvh_entry": $(json "$vmlinux_pvh_entry"), "from": "vmlinuz", "compression": $(json "$vmlinux_compression"), "payload_offset": $vmlinux_offset},
    "initramfs.cpio.gz": {"sha256": $(json "$(sha "$out/initramfs.cpio.gz")"), "size": $(stat -c %s "$out/initramfs.cpio.gz")},
    "initramfs.cpio": {"sha256": $(json "$(sha "$work/initramfs.cpio")"), "size": $(stat -c %s "$work/initramfs.cpio")}
  }
}
EOF
mv "$out/manifest.json.tmp" "$out/manifest.json"
log "done: $out (kernel $kernel_release)"
