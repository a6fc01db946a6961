#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# Installs a built daam-studio .deb into a fresh Debian 12 (minbase) root and starts both programs from
# it: the GUI under Xvfb on the built-in model (a screenshot), and daam-cli generate. It proves that the
# package's Depends are enough on a machine that has nothing else, that the programs are the package's
# version, that no installed file names the tree it was built in, and that the installed AppStream
# metadata is valid. Needs root, debootstrap and a Debian mirror; not part of the tests (they run
# without either).
#
#   sudo packaging/check-clean-install.sh build/daam-studio_0.1.0_amd64.deb [ROOT]
#
# ROOT (default: a new temporary folder) is kept afterwards, and reused when given again (no second
# debootstrap, but then only a fresh ROOT proves the Depends); the screenshot is ROOT/tmp/shot.png.
# DAAM_SOURCE_DIR is the tree the package was built from (default: the one holding this script).
set -eu

deb=$(realpath "$1")
root=${2:-$(mktemp -d /var/tmp/daam-clean-root.XXXXXX)}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
src=${DAAM_SOURCE_DIR:-$(cd "$(dirname "$0")/.." && pwd -P)}

[ -f "$root/etc/debian_version" ] || debootstrap --variant=minbase bookworm "$root" "$mirror"
cp "$deb" "$root/tmp/daam-studio.deb"
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
# The root is kept: unmount its /proc on Ctrl+C too (dash runs the EXIT trap only on a normal exit).
trap 'umount "$root/proc"' EXIT
trap 'exit 130' INT TERM

# --reinstall: a rebuilt .deb of the same version in a reused root would otherwise be skipped.
# Dpkg::Use-Pty=0: the minbase root has no /dev/pts, and apt's pty log would fail with an "E:" line.
# shellcheck disable=SC2016 # the script below expands its variables in the chroot
chroot "$root" /usr/bin/env DAAM_SOURCE_DIR="$src" /bin/sh -ec '
    apt="apt-get -y -q -o Dpkg::Use-Pty=0 --no-install-recommends"
    DEBIAN_FRONTEND=noninteractive; export DEBIAN_FRONTEND
    apt-get update -q
    $apt --reinstall install /tmp/daam-studio.deb xvfb xauth
    dpkg-query -W -f="daam-studio \${Version}: \${Installed-Size} KiB installed\n" daam-studio
    v=$(dpkg-query -W -f="\${Version}" daam-studio)
    cd /tmp
    HOME=/tmp QT_QPA_PLATFORM=offscreen daam-studio --version | grep -Fx "DAAM Studio $v"
    HOME=/tmp timeout 300 xvfb-run -a -s "-screen 0 1400x900x24" daam-studio --select 3 --screenshot /tmp/shot.png
    HOME=/tmp daam-cli generate --prompt "a red circle and a blue square" --out /tmp/session
    test -s /tmp/shot.png && test -s /tmp/session/image.png
    daam-cli --version | grep -Fx "daam-cli $v"

    # A path into the build machine would be a file the programs look for and a user lacks (the build maps
    # __FILE__ to paths relative to the source tree, so not even an error message names it).
    found=$(grep -d skip -aoH "$DAAM_SOURCE_DIR/[[:graph:]]*" $(dpkg -L daam-studio) | sort -u)
    if [ -n "$found" ]; then printf "installed files that name %s:\n%s\n" "$DAAM_SOURCE_DIR" "$found"; exit 1; fi

    # Installed after the programs ran, so that the appstream libraries cannot stand in for a missing Depends.
    if $apt install appstream; then
        appstreamcli validate --no-net /usr/share/metainfo/io.github.daamstudio.DAAMStudio.metainfo.xml
    else
        echo "appstream is not installable here: the metainfo was not validated"
    fi
'
echo "clean install of $(basename "$deb") works; screenshot: $root/tmp/shot.png"
