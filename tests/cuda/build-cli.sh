#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the GPU scripts: builds daam-cli against PyTorch's LibTorch on a machine with none of Debian's
# packages. DEBS holds Debian 12's .debs of libpng-dev, libutf8proc-dev, libsentencepiece-dev,
# nlohmann-json3-dev, pkgconf and their libraries (apt-get download); they are unpacked under /tmp/devroot,
# never into /. Sets `cli` to the built executable and exports the library path it needs; returns 1 on failure.
# Took 102 s on an H100 machine's 16 cores.
root=/tmp/devroot
mkdir -p $root
for f in "${DEBS:?}"/*.deb; do dpkg -x "$f" $root; done
export LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PKG_CONFIG_LIBDIR=$root/usr/lib/x86_64-linux-gnu/pkgconfig:$root/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$root
command -v pkg-config > /dev/null || export PKG_CONFIG=$root/usr/bin/pkgconf

torch_prefix=$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)')
build=/tmp/daam-build
cli=$build/bin/daam-cli
cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release -DDAAM_BUILD_UI=OFF -DDAAM_BUILD_TESTS=OFF \
    -DDAAM_BUILD_FUZZERS=OFF -DDAAM_ONEDNN_WINOGRAD=OFF -DTORCH_CUDA_ARCH_LIST=9.0 "-DCMAKE_PREFIX_PATH=$torch_prefix;$root/usr" \
    > /tmp/configure.log 2>&1 || { tail -40 /tmp/configure.log; return 1; }
ninja -C $build -k 0 daam-cli > /tmp/build.log 2>&1 || { grep -A12 "error" /tmp/build.log | head -150; return 1; }
