#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the GPU scripts: builds against PyTorch's LibTorch and the libraries of DEVROOT (see devroot.sh).
#
#   source tests/cuda/build.sh cli   daam-cli alone, the UI off (DEVROOT from pack-devroot.sh)
#   source tests/cuda/build.sh all   the whole project: the app, daam-cli, the tests (pack-devroot.sh --with-qt)
#
# Sets `build` (the build folder) and `cli` (daam-cli in it); returns 1 on failure, with the errors printed.
# The cli build took 102 s on an H100 machine's 16 cores.
source tests/cuda/devroot.sh || return 1
build=/tmp/daam-build
cli=$build/bin/daam-cli
case "${1:?cli or all}" in
    cli) what=(-DDAAM_BUILD_UI=OFF -DDAAM_BUILD_TESTS=OFF) targets=daam-cli ;;
    all) what=(-DDAAM_BUILD_UI=ON -DDAAM_BUILD_TESTS=ON) targets=all ;;
    *) echo "build.sh: cli or all, not $1" >&2; return 1 ;;
esac
# PyTorch's LibTorch carries its own oneDNN, without headers: none of our oneDNN kernels (Winograd, bf16
# channels-last), whose switch is DAAM_ONEDNN_WINOGRAD.
cmake -S . -B $build -G Ninja -DCMAKE_BUILD_TYPE=Release "${what[@]}" -DDAAM_BUILD_FUZZERS=OFF \
    -DDAAM_ONEDNN_WINOGRAD=OFF -DTORCH_CUDA_ARCH_LIST=9.0 "${devroot_cmake_args[@]}" > /tmp/configure.log 2>&1 ||
    { tail -40 /tmp/configure.log; return 1; }
ninja -C $build -k 0 $targets > /tmp/build.log 2>&1 ||
    { grep -B2 -A12 "error\|FAILED" /tmp/build.log | head -150; return 1; }
