#!/usr/bin/env bash
# Extracts the uncompressed ELF vmlinux from an x86 bzImage, as the kernel's scripts/extract-vmlinux does: every
# offset where a compressor's magic occurs is tried until one decompresses to an ELF. Then checks that the ELF has
# the PVH entry point (a "Xen" note of type 18, XEN_ELFNOTE_PHYS32_ENTRY), which QEMU, Firecracker and Cloud
# Hypervisor boot an ELF kernel through.
#
#   extract-vmlinux.sh BZIMAGE OUT    writes OUT; prints "COMPRESSION OFFSET PVH_ENTRY" (e.g. "zstd 21196 0x38c0160")
#
# Failures print one line 'ERROR: <cause>; <fix>' and exit 8 (3: a missing host tool, 2: usage).
set -euo pipefail
export LC_ALL=C

fail() { local code=$1; shift; printf 'ERROR: %s\n' "$*" >&2; exit "$code"; }
[ $# -eq 2 ] || fail 2 "usage: extract-vmlinux.sh BZIMAGE OUT"
in=$1 out=$2
[ -f "$in" ] || fail 2 "no bzImage at $in"
command -v readelf >/dev/null || fail 3 "missing host tool 'readelf'; run ./setup.sh (binutils)"

# Magic (hex) and decompressor, in scripts/extract-vmlinux's order; a tool the host lacks is skipped, and if no
# candidate decompresses, the error names the kernel's compression so the fix is clear.
tried=""
for entry in '1f8b08:gzip:gzip -dcq' 'fd377a585a00:xz:xz -dcq' '02214c18:lz4:lz4 -dcq' '28b52ffd:zstd:zstd -dcq'; do
  magic=${entry%%:*} rest=${entry#*:}; name=${rest%%:*}; cmd=${rest#*:}
  # (grep || true): no match is not an error here.
  offsets=$( (grep -obUaP "$(printf '%s' "$magic" | sed 's/../\\x&/g')" "$in" || true) | cut -d: -f1)
  [ -n "$offsets" ] || continue
  if ! command -v "${cmd%% *}" >/dev/null; then tried+=" $name(no ${cmd%% *})"; continue; fi
  for off in $offsets; do
    # A false match or trailing data makes the decompressor fail; only the ELF magic of the result counts.
    tail -c +$((off + 1)) "$in" | $cmd > "$out" 2>/dev/null || true
    if [ "$(head -c 4 "$out" | od -An -tx1 | tr -d ' \n')" = 7f454c46 ]; then
      # readelf -n prints an owner "Xen" note of type 0x12 as "Unknown note type: (0x00000012)" (binutils 2.40)
      # or by name; its description is the 32-bit physical entry address, little-endian.
      entry_hex=$(readelf -n "$out" 2>/dev/null | awk '
        $1 == "Xen" && ($0 ~ /\(0x00000012\)/ || $0 ~ /PHYS32_ENTRY/) { want = 1; next }
        want && /description data:/ { sub(/.*description data: */, ""); print $4 $3 $2 $1; exit }
        { want = 0 }')
      [ -n "$entry_hex" ] \
        || fail 8 "the vmlinux in $in (${name}-compressed at offset $off) has no PVH entry note (Xen note type 18, XEN_ELFNOTE_PHYS32_ENTRY): the kernel was built without CONFIG_PVH=y; use a kernel with it"
      [ "$(readelf -h "$out" 2>/dev/null | awk '/Type:/ { print $2 }')" = EXEC ] \
        || fail 8 "the ELF in $in (${name}-compressed at offset $off) is not an executable kernel; use a bzImage of an x86-64 kernel"
      printf '%s %s 0x%x\n' "$name" "$off" "$((16#$entry_hex))"
      exit 0
    fi
  done
  tried+=" $name"
done
rm -f "$out"
fail 8 "no ELF kernel found in $in (compressed payloads tried:${tried:- none}); the bzImage uses another compression or is not a kernel: use a gzip-, xz-, lz4- or zstd-compressed x86 bzImage"
