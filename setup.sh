#!/usr/bin/env bash
# Makes a Debian 12 (bookworm) host ready for vmclock-conformance. Idempotent.
#   - QEMU >= 10.0 (first version with -device vmclock) and qemu-img, from bookworm-backports,
#     using the mirror the machine's own apt sources already point at;
#   - tools the guest-image builder needs (busybox-static, a C toolchain with static libc, xz, cpio,
#     gpgv and the Debian archive keyring to verify the kernel packages it downloads);
#   - chromium (headless), for the test of the HTML report;
#   - Docker (docker.io), running, for container targets (--container) and their tests;
#   - debootstrap, for the Debian QEMU images built on first need (./vmclock-conformance images).
# On anything else it says what to install and exits 2.
set -euo pipefail

need_qemu_major=10
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
log() { printf 'setup: %s\n' "$*" >&2; }
die() { printf 'setup: %s\n' "$*" >&2; exit 2; }

qemu_ok() {
  command -v qemu-system-x86_64 >/dev/null 2>&1 && command -v qemu-img >/dev/null 2>&1 || return 1
  local major
  major=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -n1)
  [ -n "$major" ] && [ "$major" -ge "$need_qemu_major" ] || return 1
  qemu-system-x86_64 -machine none -device help 2>/dev/null | grep -q '"vmclock"'
}

guest_tools_ok() {
  command -v busybox >/dev/null 2>&1 && [ -x /bin/busybox ] && file_is_static /bin/busybox \
    && command -v gcc >/dev/null 2>&1 && [ -e /usr/lib/x86_64-linux-gnu/libc.a ] \
    && command -v readelf >/dev/null 2>&1 && command -v cpio >/dev/null 2>&1 && command -v xz >/dev/null 2>&1 && command -v zstd >/dev/null 2>&1 \
    && command -v gzip >/dev/null 2>&1 && command -v dpkg-deb >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 \
    && command -v gpgv >/dev/null 2>&1 && [ -r /usr/share/keyrings/debian-archive-keyring.gpg ]
}
# The reports module's browser test opens index.html in headless Chromium.
report_tools_ok() { command -v chromium >/dev/null 2>&1; }
# Container targets: a Docker engine that answers (images are built locally, nothing is pulled).
docker_ok() { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }
start_dockerd() {
  if [ -d /run/systemd/system ]; then
    systemctl start docker
  else
    nohup dockerd >/var/log/vmclock-dockerd.log 2>&1 &
  fi
  for _ in $(seq 1 60); do docker_ok && return 0; sleep 0.5; done
  die "dockerd did not come up (log: /var/log/vmclock-dockerd.log or journalctl -u docker)"
}
# Debian QEMU images (DebianQemuImage): a minbase root file system, imported into Docker.
image_tools_ok() { command -v debootstrap >/dev/null 2>&1; }
file_is_static() { ! LC_ALL=C ldd "$1" >/dev/null 2>&1; }

if qemu_ok && guest_tools_ok && report_tools_ok && image_tools_ok && docker_ok; then
  log "ready: $(qemu-system-x86_64 --version | head -n1)"
  exit 0
fi

. /etc/os-release 2>/dev/null || true
if [ "${ID:-}" != "debian" ] || [ "${VERSION_CODENAME:-}" != "bookworm" ]; then
  die "this script only prepares Debian 12 (bookworm); here is ${PRETTY_NAME:-an unknown system}. Install QEMU >= ${need_qemu_major}.0 with the vmclock device (qemu-system-x86_64, qemu-img), busybox (static), gcc with static libc, cpio, xz, zstd, gpgv, the Debian archive keyring, chromium, Docker and debootstrap yourself, or pass --qemu to the suite."
fi
[ "$(id -u)" -eq 0 ] || exec sudo -n "$0" "$@" || die "needs root (apt-get); run it with sudo"

# The mirror this machine already uses for bookworm (first deb822 URI whose Suites list bookworm,
# else the first one-line 'deb' entry for bookworm), derived by the helper build-image.sh uses too.
# shellcheck source=guest-images/src/main/resources/dev/vmclock/images/debian-mirror.sh
. "$here/guest-images/src/main/resources/dev/vmclock/images/debian-mirror.sh"
mirror=$(debian_mirror bookworm) || mirror=""
[ -n "$mirror" ] || die "could not find the Debian mirror in /etc/apt/sources.list{,.d}; add bookworm-backports yourself"

list=/etc/apt/sources.list.d/vmclock-conformance-backports.sources
want="Types: deb
URIs: ${mirror}
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg"
if [ ! -e "$list" ] || [ "$(cat "$list")" != "$want" ]; then
  log "adding bookworm-backports from ${mirror}"
  printf '%s\n' "$want" > "$list"
fi

export DEBIAN_FRONTEND=noninteractive
if qemu_ok && guest_tools_ok && report_tools_ok && image_tools_ok && command -v dockerd >/dev/null 2>&1; then
  # Everything is installed; only the Docker engine is not running (e.g. after a reboot without systemd).
  log "starting dockerd"
  start_dockerd
  log "ready: $(qemu-system-x86_64 --version | head -n1)"
  exit 0
fi
apt-get -o Acquire::Retries=3 update -qq
if ! qemu_ok; then
  log "installing QEMU from bookworm-backports"
  apt-get install -y -qq -o Acquire::Retries=3 --no-install-recommends -t bookworm-backports \
    qemu-system-x86 qemu-utils >/dev/null
fi
apt-get install -y -qq -o Acquire::Retries=3 --no-install-recommends \
  busybox-static gcc binutils libc6-dev cpio xz-utils zstd gzip gpgv debian-archive-keyring ca-certificates chromium docker.io debootstrap >/dev/null
docker_ok || { log "starting dockerd"; start_dockerd; }

qemu_ok || die "QEMU was installed but $(command -v qemu-system-x86_64 || echo qemu-system-x86_64) has no vmclock device"
log "ready: $(qemu-system-x86_64 --version | head -n1)"
