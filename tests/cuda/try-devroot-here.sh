#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run here, as root on Debian 12 with the build dependencies installed: tries a pack-devroot.sh tarball before
# device time is spent on it. In a mount namespace where this machine's copies of the tarball's packages are hidden,
# it builds as build.sh does on the GPU machine (against Debian's LibTorch), then runs COMMAND there.
#
#   DEVROOT=tarball tests/cuda/try-devroot-here.sh cli|all [COMMAND...]
#
# Left visible: zlib and pcre2, which this machine's own tools (grep, the compiler) load before devroot.sh runs,
# and pkg-config, which the GPU machine may have or not (devroot.sh takes the root's when it has none).
set -euo pipefail
[ -f "${DEVROOT:?}" ] || { echo "no such tarball: $DEVROOT" >&2; exit 1; }
DEVROOT=$(realpath "$DEVROOT")
export DEVROOT
exec unshare -m bash -c '
set -euo pipefail
mode=$1
shift
mount --make-rprivate /
hidden=0
for package in $(tar -xJOf "$DEVROOT" ./packages.txt); do
    case $package in zlib1g | libpcre2-8-0 | pkgconf | pkgconf-bin | libpkgconf3) continue ;; esac
    dpkg-query -W -f="\${Status}" "$package" 2> /dev/null | grep -q "ok installed" || continue
    while read -r file; do
        if [ -f "$file" ] && [ ! -L "$file" ]; then
            mount --bind /dev/null "$file"
            hidden=$((hidden + 1))
        fi
    done < <(dpkg -L "$package")
done
echo "try-devroot-here: $hidden files of Debian packages hidden"
rm -rf /tmp/devroot /tmp/daam-build
export TORCH_DIR=/usr/lib/x86_64-linux-gnu/cmake/Torch
source tests/cuda/build.sh "$mode" || exit 1
echo "try-devroot-here: built ($mode) in /tmp/daam-build"
if [ $# -gt 0 ]; then "$@"; fi
' try-devroot-here "$@"
