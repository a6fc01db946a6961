#!/bin/sh
# SPDX-License-Identifier: GPL-3.0-or-later
# bench/blas_kernels.sh DAAM_CLI [daam-cli bench options...]
# Runs `daam-cli bench` on OpenBLAS's SSE3 fallback kernels (OPENBLAS_CORETYPE=Prescott, what OpenBLAS
# 0.3.21 loads on a CPU model it does not know) and then as a user starts it (the program picks the kernels,
# daam::loadFasterBlasKernels), and prints the ratio of the seconds per UNet call. The kernels are chosen
# when the library loads, so each needs a process of its own.
set -eu
cli=$1
shift
run() {
    core=$1
    shift
    echo "== kernels: $core" >&2
    if [ "$core" = default ]; then env -u OPENBLAS_CORETYPE "$cli" bench "$@"; else OPENBLAS_CORETYPE=$core "$cli" bench "$@"; fi
}
fallback=$(run Prescott "$@" | tee /dev/stderr | sed -n 's/^untraced: *\([0-9.]*\) s per UNet call.*/\1/p')
chosen=$(run default "$@" | tee /dev/stderr | sed -n 's/^untraced: *\([0-9.]*\) s per UNet call.*/\1/p')
if [ -z "$fallback" ] || [ -z "$chosen" ]; then
    echo "blas_kernels.sh: daam-cli bench failed" >&2
    exit 1
fi
echo "untraced UNet call: ${fallback} s on Prescott kernels, ${chosen} s on the chosen ones:" \
    "$(awk "BEGIN { printf \"%.2f\", $fallback / $chosen }")x"
