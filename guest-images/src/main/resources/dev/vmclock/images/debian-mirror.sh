# shellcheck shell=bash
# Sourced helper: the Debian archive mirror this machine's own apt sources already use.
# Used by setup.sh (to add bookworm-backports) and build-image.sh (to download the guest kernel).
# No host name is written anywhere: the URI is always read from the machine's apt configuration.
#
#   debian_mirror [SUITE]
#     Prints the first URI of an enabled 'deb' source whose suites contain SUITE
#     (default: the host's VERSION_CODENAME), looking at deb822 files
#     /etc/apt/sources.list.d/*.sources first, then one-line entries in /etc/apt/sources.list
#     and /etc/apt/sources.list.d/*.list. A trailing slash is removed.
#     Returns 1 (printing nothing) if there is none.
#     VMCLOCK_DEBIAN_MIRROR, when set, is printed instead (an explicit override).
#     VMCLOCK_APT_SOURCES_DIR (default /etc/apt) can point at another apt configuration tree.

debian_mirror() {
  local suite=${1:-} etc=${VMCLOCK_APT_SOURCES_DIR:-/etc/apt} f uri=""
  if [ -n "${VMCLOCK_DEBIAN_MIRROR:-}" ]; then
    printf '%s\n' "${VMCLOCK_DEBIAN_MIRROR%/}"
    return 0
  fi
  if [ -z "$suite" ]; then
    suite=$( (. /etc/os-release 2>/dev/null && printf '%s' "${VERSION_CODENAME:-}") )
    [ -n "$suite" ] || return 1
  fi
  for f in "$etc"/sources.list.d/*.sources; do
    [ -e "$f" ] || continue
    # Paragraph mode: one deb822 stanza per record. Comments are dropped, field names compared
    # case-insensitively, stanzas with 'Enabled: no' skipped.
    uri=$(awk -v suite="$suite" '
      BEGIN { RS = ""; FS = "\n" }
      {
        types = ""; suites = ""; uris = ""; enabled = "yes"
        for (i = 1; i <= NF; i++) {
          line = $i
          if (line ~ /^[ \t]*#/) continue
          if (match(line, /^[A-Za-z-]+:/)) {
            key = tolower(substr(line, 1, RLENGTH - 1)); val = substr(line, RLENGTH + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", val)
            if (key == "types") types = val
            else if (key == "suites") suites = val
            else if (key == "uris") uris = val
            else if (key == "enabled") enabled = tolower(val)
          }
        }
        if (enabled == "no" || uris == "") next
        if ((" " types " ") !~ / deb /) next
        if ((" " suites " ") !~ (" " suite " ")) next
        split(uris, u, /[ \t]+/); print u[1]; exit
      }' "$f")
    [ -n "$uri" ] && break
  done
  if [ -z "$uri" ]; then
    for f in "$etc"/sources.list "$etc"/sources.list.d/*.list; do
      [ -e "$f" ] || continue
      # deb [options] URI SUITE COMPONENT...
      uri=$(awk -v suite="$suite" '
        $1 == "deb" {
          i = 2
          if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
          if ($(i + 1) == suite) { print $i; exit }
        }' "$f")
      [ -n "$uri" ] && break
    done
  fi
  [ -n "$uri" ] || return 1
  printf '%s\n' "${uri%/}"
}
