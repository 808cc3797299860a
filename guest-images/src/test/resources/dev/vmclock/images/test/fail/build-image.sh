#!/usr/bin/env bash
# Test recipe: a build that fails the way build-image.sh reports a failed download.
echo "build-image: step 1"
echo "partial" > "$1/vmlinuz"
echo "ERROR: download of package linux-binary-9.9.9+deb13-cloud-amd64 (version 9.9.9-1) from trixie-backports failed; check the network and the mirror" >&2
exit 4
