#!/usr/bin/env bash
# Fetches rust-vmm's vhost-device-vsock (the hybrid-vsock back end of QEMU's vhost-user-vsock-pci) from Debian
# unstable, the only suites that package it, and extracts it into OUTDIR without installing anything:
#
#   vhost-device-vsock.sh OUTDIR     writes OUTDIR/usr/bin/vhost-device-vsock and OUTDIR/package (name version sha256),
#                                    prints the binary's path
#
# As build-image.sh fetches the guest kernel: the mirror is the one the machine's apt sources already use
# (debian-mirror.sh; VMCLOCK_DEBIAN_MIRROR overrides), with a private apt state, the Release checked with the
# system's Debian archive keyring (VMCLOCK_APT_KEYRING overrides); insecure repositories are never allowed.
# The binary needs libc6 >= 2.34 and libgcc-s1: Debian 12 has both.
#
# Failures print one line 'ERROR: <cause>; <fix>' and exit with:
#   2 usage, 3 missing host tool, 4 download failed, 5 signature verification failed,
#   6 package not found, 7 no Debian mirror in the apt sources, 8 bad package content.
set -euo pipefail
umask 022
export LC_ALL=C
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=/dev/null
. "$here/debian-mirror.sh"

package=vhost-device-vsock
suite=unstable
fail() { local code=$1; shift; printf 'ERROR: %s\n' "$*" >&2; exit "$code"; }

[ $# -eq 1 ] && [ -n "$1" ] || fail 2 "usage: vhost-device-vsock.sh OUTDIR"
for tool in apt-get dpkg-deb sha256sum; do
  command -v "$tool" >/dev/null 2>&1 || fail 3 "missing host tool '$tool'; run ./setup.sh (Debian 12) or install it"
done
mirror=$(debian_mirror "$suite" || debian_mirror sid || debian_mirror || debian_mirror bookworm) \
  || fail 7 "no Debian mirror found in /etc/apt/sources.list{,.d}; set VMCLOCK_DEBIAN_MIRROR to a Debian archive URI"
keyring=""
for k in ${VMCLOCK_APT_KEYRING:-} /usr/share/keyrings/debian-archive-keyring.gpg /usr/share/keyrings/debian-archive-keyring.pgp; do
  if [ -r "$k" ]; then keyring=$k; break; fi
done
[ -n "$keyring" ] || fail 5 "no Debian archive keyring; install debian-archive-keyring or set VMCLOCK_APT_KEYRING"

mkdir -p "$1" || fail 2 "cannot create $1"
out=$(cd "$1" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/vmclock-vsock-backend.XXXXXX")
trap 'rm -rf "$work"' EXIT
d=$work/apt
mkdir -p "$d"/lists/partial "$d"/cache/archives/partial "$d"/sources.list.d "$d"/preferences.d "$d"/apt.conf.d "$d"/trusted.gpg.d
: > "$d/status"; : > "$d/sources.list"; : > "$d/preferences"; : > "$d/apt.conf"
printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nArchitectures: amd64\nSigned-By: %s\n' \
  "$mirror" "$suite" "$keyring" > "$d/sources.list.d/private.sources"
# Proxies and validity settings of the machine's apt carry over; sources, lists and keys are private.
{ apt-config dump 2>/dev/null | grep -E '^Acquire::((http|https|ftp)::Proxy|Check-Valid-Until|Check-Date)' || true
  printf 'Dir::Etc::main "%s";\nDir::Etc::parts "%s";\n' "$d/apt.conf" "$d/apt.conf.d"; } > "$d/apt-config"
opts=(-o "Dir::State=$d" -o "Dir::State::Lists=$d/lists" -o "Dir::State::status=$d/status"
      -o "Dir::Etc::SourceList=$d/sources.list" -o "Dir::Etc::SourceParts=$d/sources.list.d"
      -o "Dir::Etc::Preferences=$d/preferences" -o "Dir::Etc::PreferencesParts=$d/preferences.d"
      -o "Dir::Etc::Trusted=$d/trusted.gpg" -o "Dir::Etc::TrustedParts=$d/trusted.gpg.d"
      -o "Dir::Cache=$d/cache" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
      -o APT::Architecture=amd64 -o APT::Architectures=amd64 -o Acquire::Languages=none -o Acquire::Retries=3
      -o Acquire::AllowInsecureRepositories=false -o Acquire::AllowDowngradeToInsecureRepositories=false
      -o Debug::NoLocking=true)
if [ "$(id -u)" -eq 0 ]; then opts+=(-o APT::Sandbox::User=root); fi
papt() { APT_CONFIG="$d/apt-config" apt-get -q "${opts[@]}" "$@"; }

papt update >&2 || fail 4 "apt-get update of $suite failed; check the network and the mirror $mirror"
compgen -G "$d/lists/*_dists_${suite}_InRelease" >/dev/null \
  || fail 5 "the $suite Release could not be verified with $keyring; update debian-archive-keyring or set VMCLOCK_APT_KEYRING"
(cd "$work" && papt download "$package" >&2) 2>"$work/download.err" || {
  grep -q 'Unable to locate\|has no installation candidate' "$work/download.err" \
    && fail 6 "Debian $suite has no package $package; bring your own back end (vmclock.vsockBackend)"
  fail 4 "download of $package from $suite failed: $(grep -m1 '^E:' "$work/download.err" || true); check the network and the mirror $mirror"; }
deb=$(ls "$work"/"$package"_*.deb)
dpkg-deb -x "$deb" "$work/x" || fail 8 "cannot extract $(basename "$deb")"
[ -x "$work/x/usr/bin/$package" ] || fail 8 "$(basename "$deb") holds no usr/bin/$package; the package layout changed"
mkdir -p "$out/usr/bin"
install -m 0755 "$work/x/usr/bin/$package" "$out/usr/bin/$package.tmp"
mv "$out/usr/bin/$package.tmp" "$out/usr/bin/$package"
printf '%s %s %s\n' "$package" "$(dpkg-deb -f "$deb" Version)" "$(sha256sum "$deb" | cut -d' ' -f1)" > "$out/package"
printf '%s\n' "$out/usr/bin/$package"
