#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# The CUDA checks, for a machine with an NVIDIA GPU and PyTorch (whose LibTorch we build against) but
# none of Debian's packages: builds daam-cli, checks every reference case on the GPU, benchmarks an SD 1.5-
# shaped pipeline in fp16, bf16 and fp32, then trains the built-in model's design on the GPU until the
# deadline, keeping the model of each segment.
#
#   DEVROOT=tarball REFERENCE=dir DEADLINE_S=seconds OUT=dir tests/cuda/run-checks.sh [train-demo options]
#
# DEVROOT: made here by `tests/cuda/pack-devroot.sh` (see build.sh).
set -u
start=$(date +%s)
deadline=$((start + ${DEADLINE_S:-480}))
OUT=${OUT:-/tmp/cuda-checks}
mkdir -p "$OUT"
log() { echo "== $(date +%T) +$(($(date +%s) - start))s $*"; }

log "machine"
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda)'
nproc

log "configure and build daam-cli"
source tests/cuda/build.sh cli || exit 1
log "built"

for dtype in ${REF_DTYPES-fp32 fp16}; do
    log "reference cases on cuda, $dtype (only fp32 is held to the limit)"
    python3 tests/cuda/compare_reference.py --cli $cli --reference "${REFERENCE:?}" --device cuda --dtype $dtype
done

source tests/cuda/gpu-memory.sh
log "SD 1.5-shaped bench on cuda (512x512, 10 steps)"
for dtype in ${BENCH_DTYPES-fp16 bf16 fp32}; do
    echo "$dtype:"
    gpu_memory_peak $cli bench --sd15-shapes /tmp/sd15 --prompt "a cat and a dog" --steps 10 --repeat 3 \
        --tflop-per-step 1.6 --device cuda --dtype $dtype 2>&1 | grep -v "^writing"
done
rm -rf /tmp/sd15

log "sentencepiece (the built-in model's tokenizer) in this build"
$cli tokenize --model resources/models/shapes-plain "a red circle" > /tmp/tokenize.txt 2>&1
rc=$?
head -3 /tmp/tokenize.txt
if [ $rc -ne 0 ]; then
    echo "tokenize failed ($rc); backtrace:"
    cuda-gdb -batch -ex run -ex bt --args $cli tokenize --model resources/models/shapes-plain "a red circle" 2>&1 | tail -40
    export LD_PRELOAD=$root/usr/lib/x86_64-linux-gnu/libprotobuf-lite.so.32
    $cli tokenize --model resources/models/shapes-plain "a red circle" > /tmp/tokenize.txt 2>&1
    rc=$?
    echo "with Debian's protobuf-lite preloaded: rc $rc"
    [ $rc -eq 0 ] || unset LD_PRELOAD
fi

log "train-demo on cuda: $*"
train=/tmp/train
# TRAIN_FROM: a training folder to go on from (a checkpoint made elsewhere; they are device-free).
[ -n "${TRAIN_FROM:-}" ] && cp -r "$TRAIN_FROM" $train
for steps in ${TRAIN_SEGMENTS:-4000 8000 12000 16000 20000 30000}; do
    left=$((deadline - $(date +%s) - 25))
    [ $left -lt 30 ] && break
    $cli train-demo --device cuda --out $train --unet-steps $steps --checkpoint-every 500 --for $left "$@" 2>&1 |
        tr '\r' '\n' | grep -v "^\s*$" | grep -v "LOG(INFO)" | tail -4
    [ -f $train/checkpoint/state.json ] || break
    reached=$(python3 -c "import json; print(json.load(open('$train/checkpoint/state.json'))['step'])")
    phase=$(python3 -c "import json; print(json.load(open('$train/checkpoint/state.json'))['phase'])")
    log "phase $phase, step $reached"
    cp $train/train-log.tsv $OUT/train-log.tsv
    [ "$phase" = "done" ] || [ "$phase" = "unet" ] || break
    tar czf $OUT/model-$reached.tgz -C $train model
    [ "$reached" -lt "$steps" ] && break
done
log "end"
