#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Sourced by the GPU scripts. daam-cli bench reports the process's resident memory, not the GPU's: these sample
# nvidia-smi every 0.1 s while a command runs.
#   gpu_memory_peak COMMAND...   runs COMMAND, then prints "GPU memory peak N MiB (...)"
gpu_memory_peak() {
    echo 0 > /tmp/gpu-peak
    (
        peak=0
        while sleep 0.1; do
            used=$(nvidia-smi --query-gpu=memory.used --format=csv,noheader,nounits | head -1)
            [ "$used" -gt "$peak" ] && peak=$used && echo $peak > /tmp/gpu-peak
        done
    ) &
    local sampler=$! status=0
    "$@" || status=$?
    kill $sampler
    echo "GPU memory peak $(cat /tmp/gpu-peak) MiB (nvidia-smi, sampled every 0.1 s)"
    return $status
}
