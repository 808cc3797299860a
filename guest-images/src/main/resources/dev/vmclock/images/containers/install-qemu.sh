# Runs inside `docker build` on the Debian base: installs QEMU from SUITE and records the versions.
#   sh install-qemu.sh SUITE MIRROR - RECIPE_HASH
# Failures: 'ERROR: <cause>; <fix>' and 'EXIT: <code>' (debian-image.sh passes both on).
set -eu
suite=$1 mirror=$2 recipe=$4
codename=${suite%-backports}
out=/etc/vmclock-implementation.json
fail() { echo "ERROR: $2"; echo "EXIT: $1"; exit "$1"; }
export DEBIAN_FRONTEND=noninteractive

keyring=/usr/share/keyrings/debian-archive-keyring.pgp
[ -r "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || fail 8 "the $codename base has no debian-archive-keyring; rebuild the base image"
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Retries "3";\n' > /etc/apt/apt.conf.d/90vmclock
suites=$codename
[ "$suite" = "$codename" ] || suites="$codename $suite"
printf 'Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nSigned-By: %s\n' "$mirror" "$suites" "$keyring" \
  > /etc/apt/sources.list.d/debian.sources
apt-get update -q || fail 4 "apt-get update of $suites from $mirror failed; check the network and the mirror, or set VMCLOCK_DEBIAN_MIRROR"
for p in qemu-system-x86 qemu-utils; do
  apt-cache madison "$p" | grep -q " $suite/" || fail 6 "package $p is not in $suite on $mirror; check the suite name or the mirror"
done
# procps: the harness's forced kill is a 'kill' inside the container.
apt-get install -y -q -t "$suite" qemu-system-x86 qemu-utils seabios procps \
  || fail 4 "apt-get install -t $suite qemu-system-x86 qemu-utils failed; check the mirror (see the output above)"
qemu-system-x86_64 -machine none -device help | grep -q '"vmclock"' \
  || fail 8 "the QEMU of $suite has no vmclock device; use a suite with QEMU >= 10.0"

v() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || true; }
qemu=$(qemu-system-x86_64 --version | head -n1 | sed 's/["\\]//g')
printf '{"format":1,"suite":"%s","codename":"%s","recipe":"%s","built":"%s","qemu":"%s","packages":{"qemu-system-x86":"%s","qemu-system-data":"%s","qemu-utils":"%s","seabios":"%s","libc6":"%s"}}\n' \
  "$suite" "$codename" "$recipe" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$qemu" \
  "$(v qemu-system-x86)" "$(v qemu-system-data)" "$(v qemu-utils)" "$(v seabios)" "$(v libc6)" > "$out"
apt-get clean
rm -rf /var/lib/apt/lists/*
cat "$out"
