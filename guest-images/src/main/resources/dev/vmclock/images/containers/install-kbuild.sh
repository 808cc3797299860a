# Runs inside `docker build` on the trixie base: a toolchain and the headers to build out-of-tree
# modules for the trixie-backports cloud kernel KERNEL_ABI, plus its source tarball.
#   sh install-kbuild.sh trixie-backports MIRROR KERNEL_ABI RECIPE_HASH
# Failures: 'ERROR: <cause>; <fix>' and 'EXIT: <code>' (debian-image.sh passes both on).
set -eu
suite=$1 mirror=$2 abi=$3 recipe=$4
codename=${suite%-backports}
out=/etc/vmclock-kbuild.json
fail() { echo "ERROR: $2"; echo "EXIT: $1"; exit "$1"; }
export DEBIAN_FRONTEND=noninteractive

mm=$(echo "$abi" | sed -E 's/^([0-9]+\.[0-9]+).*/\1/')
headers=linux-headers-$abi-cloud-amd64
keyring=/usr/share/keyrings/debian-archive-keyring.pgp
[ -r "$keyring" ] || keyring=/usr/share/keyrings/debian-archive-keyring.gpg
[ -r "$keyring" ] || fail 8 "the $codename base has no debian-archive-keyring; rebuild the base image"
printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\nAcquire::Retries "3";\n' > /etc/apt/apt.conf.d/90vmclock
printf 'Types: deb\nURIs: %s\nSuites: %s %s\nComponents: main\nSigned-By: %s\n' "$mirror" "$codename" "$suite" "$keyring" \
  > /etc/apt/sources.list.d/debian.sources
apt-get update -q || fail 4 "apt-get update of $codename $suite from $mirror failed; check the network and the mirror, or set VMCLOCK_DEBIAN_MIRROR"
for p in "$headers" "linux-kbuild-$abi" "linux-source-$mm"; do
  apt-cache madison "$p" | grep -q " $suite/" \
    || fail 6 "package $p is not in $suite; pick a kernel ABI $suite has (the guest manifest.json's kernel_abi)"
done
apt-get install -y -q gcc-14 make xz-utils \
  || fail 4 "apt-get install gcc-14 make from $codename failed; check the mirror (see the output above)"
apt-get install -y -q -t "$suite" "$headers" "linux-kbuild-$abi" "linux-source-$mm" \
  || fail 4 "apt-get install -t $suite $headers failed; check the mirror (see the output above)"
[ -f "/usr/src/$headers/Makefile" ] || fail 8 "$headers installed no /usr/src/$headers/Makefile"

v() { dpkg-query -W -f '${Version}' "$1" 2>/dev/null || true; }
printf '{"format":1,"suite":"%s","codename":"%s","recipe":"%s","built":"%s","kernel_abi":"%s","headers":"/usr/src/%s","source":"%s","packages":{"%s":"%s","linux-kbuild-%s":"%s","linux-source-%s":"%s","gcc-14":"%s","make":"%s","libc6":"%s"}}\n' \
  "$suite" "$codename" "$recipe" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$abi" "$headers" \
  "$(ls /usr/src/linux-source-"$mm".tar.* | head -n1)" \
  "$headers" "$(v "$headers")" "$abi" "$(v "linux-kbuild-$abi")" "$mm" "$(v "linux-source-$mm")" \
  "$(v gcc-14)" "$(v make)" "$(v libc6)" > "$out"
apt-get clean
rm -rf /var/lib/apt/lists/*
cat "$out"
