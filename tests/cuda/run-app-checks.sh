#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The whole project on a GPU, in one device call on a machine with PyTorch but none of Debian's packages:
#  1. builds the app, daam-cli and the tests against PyTorch's LibTorch (build.sh all);
#  2. times an SD 1.5-shaped 512x512 pipeline on CUDA in fp16, bf16 and fp32: seconds per guided step untraced
#     and traced (the capture overhead), GPU memory;
#  3. grabs the app's window after it generated on CUDA in fp16 (offscreen), OUT/gui-cuda.png;
#  4. times diffusers' UNet on the same weights in fp16 (bench/compare_diffusers.py --device cuda);
#  5. runs the test suite, GUI tests offscreen (the GPU's own tests among them); the log is OUT/ctest.log.
# Each step after the build is skipped when the deadline leaves it too little time.
#
#   DEVROOT=tarball DIFFUSERS=tarball [REFERENCE=dir] DEADLINE_S=seconds OUT=dir tests/cuda/run-app-checks.sh
#
# DEVROOT: `tests/cuda/pack-devroot.sh --with-qt` (try it first with try-devroot-here.sh). DIFFUSERS: a tarball of
# diffusers 0.21.2's and huggingface_hub 0.16.4's `src` folders (their packages at its top). REFERENCE: the golden
# outputs; without them the reference tests skip (they do not fit beside the root in one call's 64 MiB).
set -u
start=$(date +%s)
deadline=$((start + ${DEADLINE_S:-540}))
OUT=${OUT:-/tmp/app-checks}
mkdir -p "$OUT"
log() { echo "== $(date +%T) +$(($(date +%s) - start))s $*"; }
left() { echo $((deadline - $(date +%s))); }

log "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'

log "configure and build everything"
source tests/cuda/build.sh all || exit 1
log "built"
source tests/cuda/gpu-memory.sh

log "SD 1.5-shaped bench on cuda (512x512, 10 steps)"
for dtype in fp16 bf16 fp32; do
    [ "$(left)" -gt 150 ] || { log "skipped $dtype: too little time left"; continue; }
    echo "$dtype:"
    gpu_memory_peak $cli bench --sd15-shapes /tmp/sd15 --prompt "a cat and a dog" --steps 10 --repeat 3 \
        --tflop-per-step 1.6 --device cuda --dtype $dtype 2>&1 | grep -v "^writing"
done

log "the app generating on cuda:0 in fp16 (the built-in model, offscreen)"
config=/tmp/app-home/config/DAAM\ Studio
mkdir -p "$config"
printf '[generation]\ndevice=cuda:0\ndtype=fp16\nprompt=a red circle and a blue square\nsteps=20\n' \
    > "$config/DAAM Studio.conf"
XDG_CONFIG_HOME=/tmp/app-home/config QT_QPA_PLATFORM=offscreen timeout 120 $build/bin/daam-studio --generate \
    --select 2 --screenshot "$OUT/gui-cuda.png"
echo "daam-studio: exit status $?, $(stat -c %s "$OUT/gui-cuda.png" 2>/dev/null || echo no) bytes of PNG"
grep -E "^(device|dtype)=" "$config/DAAM Studio.conf"

if [ -n "${DIFFUSERS:-}" ] && [ "$(left)" -gt 120 ]; then
    log "diffusers' UNet against ours, fp16 on cuda"
    mkdir -p /tmp/diffusers-src && tar -C /tmp/diffusers-src -xJf "$DIFFUSERS"
    PYTHONPATH=/tmp/diffusers-src timeout $(($(left) - 60)) python3 bench/compare_diffusers.py --model /tmp/sd15 \
        --daam-cli $cli --device cuda --dtype fp16 --calls 20 2>&1 | tail -8
fi
rm -rf /tmp/sd15

log "test suite (GUI tests offscreen), $(left) s left"
[ -n "${REFERENCE:-}" ] && export DAAM_REFERENCE_DIR=$REFERENCE
# packaging_metadata needs appstream and desktop-file-utils, which are Debian's tools.
QT_QPA_PLATFORM=offscreen timeout $(($(left) - 15)) ctest --test-dir $build -j"$(nproc)" -LE fuzz \
    -E packaging_metadata --timeout 300 > "$OUT/ctest.log" 2>&1
echo "ctest: exit status $?"
grep -E "tests passed|\(Failed\)|\(Timeout\)|\*\*\*" "$OUT/ctest.log" | tail -20
grep -h "aTraceMadeOnAGpu\|availableDevices" $build/Testing/Temporary/LastTest.log 2>/dev/null | head -4
log "end"
