#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Run here, on Debian 12: packs the libraries, headers and tools the GPU scripts build against into one tarball
# for a machine that has PyTorch but none of Debian's packages (devroot.sh unpacks it there).
#
#   tests/cuda/pack-devroot.sh [--with-qt] OUT.tar.xz
#
# Without --with-qt: what daam-cli needs with the UI off (about 3 MB). With it: Qt 6, QCustomPlot, OpenGL's
# headers and a font too, for the whole project, GUI and tests included (about 27 MB). Debian's protobuf-lite is
# in both for run-checks.sh, which preloads it when sentencepiece's tokenizer fails in that build.
#
# Left out on purpose, because that machine has them and a copy on LD_LIBRARY_PATH would replace newer ones under
# its own programs (Python among them): C and C++ runtimes, expat, lzma, zstd, lz4, systemd, libcap, libgcrypt.
set -euo pipefail
with_qt=0
[ "${1:-}" = "--with-qt" ] && { with_qt=1; shift; }
out=${1:?usage: pack-devroot.sh [--with-qt] OUT.tar.xz}

packages="pkgconf pkgconf-bin libpkgconf3
  libpng-dev libpng16-16 zlib1g-dev zlib1g libutf8proc-dev libutf8proc2 libsentencepiece-dev libsentencepiece0
  nlohmann-json3-dev liblink-grammar-dev liblink-grammar5 link-grammar-dictionaries-en libhunspell-1.7-0
  libsqlite3-0 libpcre2-8-0 libprotobuf-lite32"
if [ $with_qt = 1 ]; then
    packages="$packages
  qt6-base-dev qt6-base-dev-tools qt6-svg-dev qt6-tools-dev qt6-l10n-tools qt6-tools-dev-tools qmake6 qmake6-bin
  qt6-qpa-plugins libqt6opengl6 libqcustomplot-dev libqcustomplot2.1-qt6
  libqt6core6 libqt6dbus6 libqt6gui6 libqt6printsupport6 libqt6svg6 libqt6test6 libqt6widgets6 libicu72
  libdouble-conversion3 libb2-1 libpcre2-16-0 libmd4c0 libglib2.0-0 libharfbuzz0b libfreetype6 libfontconfig1
  libgraphite2-3 libbrotli1 libxkbcommon0 libx11-6 libxcb1 libxau6 libxdmcp6 libbsd0 libmd0 libdbus-1-3
  libgl-dev libglx-dev libopengl-dev libegl-dev libegl1 libglx0 libgl1 libglvnd0 libopengl0 fonts-dejavu-core"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/debs" "$work/root"
# apt-get download as root warns that _apt cannot write there; the files arrive all the same.
(cd "$work/debs" && apt-get -qq download $packages > "$work/download.log" 2>&1) || { cat "$work/download.log"; exit 1; }
for f in "$work"/debs/*.deb; do dpkg -x "$f" "$work/root"; done
rm -rf "$work"/root/usr/share/{doc,man,lintian,bug}
echo $packages | tr ' ' '\n' > "$work/root/packages.txt" # for try-devroot-here.sh
tar -C "$work/root" -cJf "$out" .
echo "$out: $(ls "$work"/debs | wc -l) packages, $(du -m "$out" | cut -f1) MB"
