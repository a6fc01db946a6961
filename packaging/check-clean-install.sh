#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs a built daam-studio .deb into a fresh Debian 12 (minbase) root and starts both programs from
# it: the GUI under Xvfb on the built-in model (a screenshot), and daam-cli generate. It proves that the
# package's Depends are enough on a machine that has nothing else. Needs root, debootstrap and a
# Debian mirror; not part of the tests (they run without either).
#
#   sudo packaging/check-clean-install.sh build/daam-studio_0.1.0_amd64.deb [ROOT]
#
# ROOT (default: a new temporary folder) is kept afterwards; the screenshot is ROOT/tmp/shot.png.
set -eu

deb=$(realpath "$1")
root=${2:-$(mktemp -d /var/tmp/daam-clean-root.XXXXXX)}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

[ -f "$root/etc/debian_version" ] || debootstrap --variant=minbase bookworm "$root" "$mirror"
cp "$deb" "$root/tmp/daam-studio.deb"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
trap 'umount "$root/proc"' EXIT

chroot "$root" /bin/sh -ec '
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends /tmp/daam-studio.deb xvfb xauth
    cd /tmp
    HOME=/tmp timeout 300 xvfb-run -a -s "-screen 0 1400x900x24" daam-studio --select 3 --screenshot /tmp/shot.png
    HOME=/tmp daam-cli generate --prompt "a red circle and a blue square" --out /tmp/session
    test -s /tmp/shot.png && test -s /tmp/session/image.png
'
echo "clean install of $(basename "$deb") works; screenshot: $root/tmp/shot.png"
