#!/usr/bin/env bash
# Container images of Debian's QEMU (and a kernel-module build environment), built on this Docker
# host without a registry: a minbase root file system from debootstrap, imported with `docker import`,
# then packages installed on it with `docker build`.
#
#   debian-image.sh tag   base CODENAME | qemu SUITE | kbuild KERNEL_ABI   prints the tag, builds nothing
#   debian-image.sh build base CODENAME | qemu SUITE | kbuild KERNEL_ABI   builds what is missing, prints the tag
#
# SUITE: bookworm-backports, trixie or trixie-backports. KERNEL_ABI: a trixie-backports cloud kernel
# ABI such as 7.3.4+deb13 (guest manifest.json: kernel_abi). Tags end in the first 12 hex digits of
# the recipe hash (sha256 over, for each name in recipe.files but other kinds' install-*.sh:
# "<name>\n<byte length>\n<bytes>"; ImageRecipe computes the same), so each recipe is built once per Docker host and a changed recipe
# gets new tags. Package versions are recorded in the image (/etc/vmclock-*.json and the label
# dev.vmclock.versions).
#
# Environment (optional): VMCLOCK_DEBIAN_MIRROR (mirror URI; default: the apt sources' own, see
# debian-mirror.sh), VMCLOCK_IMAGE_REPOSITORY (tag prefix, default vmclock-conformance),
# VMCLOCK_APT_KEYRING (keyring for debootstrap; default the system's Debian archive keyring).
#
# Failures print one line 'ERROR: <cause>; <fix>' and exit with: 2 usage, 3 missing host tool or
# no root, 4 mirror unreachable or download failed, 6 package missing, 7 no mirror, 8 image broken.
set -euo pipefail
umask 022
export LC_ALL=C DOCKER_BUILDKIT=0

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
fail() { local code=$1; shift; printf 'ERROR: %s\n' "$*" >&2; exit "$code"; }
log() { printf 'debian-image: [%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }

usage="usage: debian-image.sh tag|build base CODENAME|qemu SUITE|kbuild KERNEL_ABI"
[ $# -eq 3 ] || fail 2 "$usage"
action=$1 kind=$2 arg=$3
case "$action" in tag|build) ;; *) fail 2 "$usage" ;; esac

suites="bookworm-backports trixie trixie-backports"
case "$kind" in
  base)
    case "$arg" in bookworm|trixie) codename=$arg ;; *) fail 2 "unknown Debian codename '$arg'; known: bookworm trixie" ;; esac ;;
  qemu)
    case " $suites " in *" $arg "*) codename=${arg%-backports} ;; *) fail 2 "unknown Debian suite '$arg'; known: $suites" ;; esac ;;
  kbuild)
    [[ "$arg" =~ ^[0-9]+\.[0-9]+[0-9a-z.+~-]*$ ]] || fail 2 "bad kernel ABI '$arg'; expected e.g. 7.3.4+deb13 (manifest.json kernel_abi)"
    codename=trixie ;;
  *) fail 2 "$usage" ;;
esac

# --- recipe hash and tags ------------------------------------------------------------------------
# A kind's hash covers the files of recipe.files except other kinds' installers, so a change to the
# kbuild installer leaves the QEMU images (and the base) as they are.
[ -f "$here/recipe.files" ] || fail 8 "recipe.files missing next to debian-image.sh; the recipe is incomplete"
hash_of() { # KIND
  local name
  while IFS= read -r name; do
    [ -n "$name" ] || continue
    case "$name" in install-*.sh) [ "$name" = "install-$1.sh" ] || continue ;; esac
    [ -f "$here/$name" ] || fail 8 "recipe file $name missing; the recipe is incomplete"
    printf '%s\n%s\n' "$name" "$(stat -c %s "$here/$name")"; cat "$here/$name"
  done < "$here/recipe.files" | sha256sum | cut -c1-64
}
repo=${VMCLOCK_IMAGE_REPOSITORY:-vmclock-conformance}
tag_of() { # KIND ARG: the name rules of tags allow [A-Za-z0-9_.-] only
  local k=$1 a=${2//[^A-Za-z0-9_.-]/-} h
  h=$(hash_of "$k")
  case "$k" in
    base) printf '%s/debian-base:%s-%s\n' "$repo" "$a" "${h:0:12}" ;;
    qemu) printf '%s/qemu-debian:%s-%s\n' "$repo" "$a" "${h:0:12}" ;;
    kbuild) printf '%s/kbuild-debian:%s-%s\n' "$repo" "$a" "${h:0:12}" ;;
  esac
}
tag=$(tag_of "$kind" "$arg")
recipe_hash=$(hash_of "$kind")
if [ "$action" = tag ]; then printf '%s\n' "$tag"; exit 0; fi

# --- build ---------------------------------------------------------------------------------------
command -v docker >/dev/null 2>&1 || fail 3 "missing host tool 'docker'; run ./setup.sh (package docker.io)"
docker info >/dev/null 2>&1 || fail 3 "Docker is not reachable; start dockerd (./setup.sh does)"
have_image() { docker image inspect "$1" >/dev/null 2>&1; }
if have_image "$tag"; then printf '%s\n' "$tag"; exit 0; fi

# One build at a time on this host: two JVMs wanting the same image build it once.
lock=${TMPDIR:-/tmp}/vmclock-debian-image.lock
exec 9>>"$lock"
flock 9
if have_image "$tag"; then printf '%s\n' "$tag"; exit 0; fi

mirror_helper=$here/debian-mirror.sh
[ -f "$mirror_helper" ] || mirror_helper=$here/../debian-mirror.sh
# shellcheck source=../debian-mirror.sh
. "$mirror_helper"
suite=$codename; [ "$kind" = qemu ] && suite=$arg; [ "$kind" = kbuild ] && suite=trixie-backports
mirror=$(debian_mirror "$suite" || debian_mirror "$codename" || debian_mirror) \
  || fail 7 "no Debian mirror found in /etc/apt/sources.list{,.d}; set VMCLOCK_DEBIAN_MIRROR to a Debian archive URI"

work=""
cleanup() {
  [ -n "$work" ] && [ -d "$work" ] || return 0
  # debootstrap mounts proc and sys in the target; a failed run can leave them behind.
  awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
work=$(mktemp -d "${TMPDIR:-/tmp}/vmclock-debian-image.XXXXXX")

check_mirror() { # CODENAME: fail at once, with the cause, when the mirror does not answer
  /usr/lib/apt/apt-helper -o Acquire::Retries=1 -o Acquire::http::Timeout=20 \
    download-file "$mirror/dists/$1/Release" "$work/Release.$1" >"$work/check.log" 2>&1 \
    || fail 4 "Debian mirror $mirror does not serve $1 ($(grep -m1 -E '^(E|Err):' "$work/check.log" | cut -c1-160)); check the network, or set VMCLOCK_DEBIAN_MIRROR to a reachable Debian archive"
}

build_base() { # CODENAME -> base tag
  local cn=$1 btag keyring root
  btag=$(tag_of base "$cn")
  if have_image "$btag"; then printf '%s\n' "$btag"; return 0; fi
  [ "$(id -u)" -eq 0 ] || fail 3 "debootstrap needs root; run as root (or sudo) to build $btag"
  command -v debootstrap >/dev/null 2>&1 || fail 3 "missing host tool 'debootstrap'; run ./setup.sh (package debootstrap)"
  [ -e "/usr/share/debootstrap/scripts/$cn" ] || fail 3 "this debootstrap does not know $cn; install a newer debootstrap (bookworm-backports)"
  keyring=""
  for k in ${VMCLOCK_APT_KEYRING:-} /usr/share/keyrings/debian-archive-keyring.gpg /usr/share/keyrings/debian-archive-keyring.pgp; do
    if [ -r "$k" ]; then keyring=$k; break; fi
  done
  [ -n "$keyring" ] || fail 3 "no Debian archive keyring; run ./setup.sh (package debian-archive-keyring) or set VMCLOCK_APT_KEYRING"
  check_mirror "$cn"
  root=$work/rootfs-$cn
  log "debootstrap --variant=minbase $cn from $mirror"
  if ! debootstrap --variant=minbase --keyring="$keyring" "$cn" "$root" "$mirror" >"$work/debootstrap.log" 2>&1; then
    fail 4 "debootstrap of $cn from $mirror failed ($(grep -m1 -E '^[EW]:' "$work/debootstrap.log" | cut -c1-160)); check the network and the mirror, or set VMCLOCK_DEBIAN_MIRROR"
  fi
  # The image's apt sources are written by the next step from the same mirror; nothing of the host stays.
  rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/* "$root"/etc/apt/sources.list \
         "$root"/etc/resolv.conf "$root"/etc/hostname "$root"/var/log/bootstrap.log
  log "docker import $btag"
  tar --numeric-owner -C "$root" -c . | docker import \
      -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
      -c "LABEL dev.vmclock.recipe=$(hash_of base) dev.vmclock.codename=$cn" - "$btag" >/dev/null \
    || fail 8 "docker import of $btag failed; check the Docker host's disk space"
  rm -rf --one-file-system "$root"
  printf '%s\n' "$btag"
}

base=$(build_base "$codename")
[ "$kind" = base ] && { printf '%s\n' "$tag"; exit 0; }

case "$kind" in
  qemu) installer=install-qemu.sh versions=/etc/vmclock-implementation.json ;;
  kbuild) installer=install-kbuild.sh versions=/etc/vmclock-kbuild.json ;;
esac
ctx=$work/context
mkdir -p "$ctx"
cp "$here/$installer" "$ctx/install.sh"
cat > "$ctx/Dockerfile" <<DOCKERFILE
FROM $base
COPY install.sh /tmp/install.sh
RUN sh /tmp/install.sh "$suite" "$mirror" "$arg" "$recipe_hash" && rm /tmp/install.sh
DOCKERFILE
stage="$tag-stage"
log "docker build $tag (FROM $base, $suite)"
if ! docker build --network host --rm --force-rm -t "$stage" "$ctx" >"$work/build.log" 2>&1; then
  err=$(grep -m1 '^ERROR: ' "$work/build.log" | sed 's/^ERROR: //' || true)
  [ -n "$err" ] || err="docker build failed ($(tail -n1 "$work/build.log" | cut -c1-200)); see the output above"
  code=$(sed -n 's/^EXIT: \([0-9]*\)$/\1/p' "$work/build.log" | head -n1)
  cat "$work/build.log" >&2
  fail "${code:-8}" "$err"
fi
# The versions become a label too, so listing images needs no container.
json=$(docker run --rm --network none --entrypoint cat "$stage" "$versions") \
  || { docker rmi "$stage" >/dev/null 2>&1 || true; fail 8 "$tag has no $versions; the installer is broken"; }
printf 'FROM %s\n' "$stage" | docker build --label "dev.vmclock.versions=$json" --label "dev.vmclock.recipe=$recipe_hash" -t "$tag" - >/dev/null \
  || { docker rmi "$stage" >/dev/null 2>&1 || true; fail 8 "labelling $tag failed"; }
docker rmi "$stage" >/dev/null
log "built $tag: $json"
printf '%s\n' "$tag"
