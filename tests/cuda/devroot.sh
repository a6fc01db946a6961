#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the GPU scripts, on a machine with PyTorch but none of Debian's packages: unpacks DEVROOT (a tarball
# made by pack-devroot.sh) under /tmp/devroot, once per machine, and points CMake, pkg-config, the loader and Qt
# at it. Sets `root` and `devroot_cmake_args`. LD_LIBRARY_PATH names the root for every program, Python too: it
# leaves out the libraries such a machine's programs load in newer versions (see pack-devroot.sh).
root=/tmp/devroot
if [ ! -f $root/.unpacked ]; then
    mkdir -p $root
    tar -C $root -xJf "${DEVROOT:?DEVROOT: a tarball made by tests/cuda/pack-devroot.sh}" || return 1
    touch $root/.unpacked
fi
# PyTorch's LibTorch, unless TORCH_DIR names another's TorchConfig.cmake folder (try-devroot-here.sh: Debian's).
if [ -n "${TORCH_DIR:-}" ]; then
    devroot_cmake_args=("-DTorch_DIR=$TORCH_DIR" "-DCMAKE_PREFIX_PATH=$root/usr")
else
    torch_prefix=$(python3 -c 'import torch.utils; print(torch.utils.cmake_prefix_path)') || return 1
    devroot_cmake_args=("-DCMAKE_PREFIX_PATH=$torch_prefix;$root/usr")
fi
devroot_cmake_args+=("-DDAAM_LINK_GRAMMAR_DICTIONARY=$root/usr/share/link-grammar/en")

libdir=$root/usr/lib/x86_64-linux-gnu
export LD_LIBRARY_PATH=$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export PKG_CONFIG_LIBDIR=$libdir/pkgconfig:$root/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$root
command -v pkg-config > /dev/null || export PKG_CONFIG=$root/usr/bin/pkgconf
# Qt looks for its plugins and fontconfig for its fonts under /usr, where the packages would have put them.
export QT_PLUGIN_PATH=$libdir/qt6/plugins
if [ -d $root/usr/share/fonts ]; then
    cat > $root/fonts.conf <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><dir>$root/usr/share/fonts</dir><cachedir>/tmp/devroot-fontconfig</cachedir></fontconfig>
CONF
    export FONTCONFIG_FILE=$root/fonts.conf
fi
