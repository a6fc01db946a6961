#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Trains several UNet designs of the built-in model side by side on one GPU, in one device call, all from one
# autoencoder, and brings back each run's model (and, if asked, its checkpoint).
#
#   DEVROOT=tarball AUTOENCODER=dir DESIGNS=file DEADLINE_S=seconds OUT=dir tests/cuda/train-designs.sh
#
# DEVROOT: made here by `tests/cuda/pack-devroot.sh` (see build.sh). AUTOENCODER: made by pack-autoencoder.sh, or a
# pipeline folder such as resources/models/shapes-plain (train-demo --vae-from takes its tokenizer and VAE); or, in its
# place, AUTOENCODER_OPTIONS (`--latent-factor 1`): train that autoencoder first, here. DESIGNS: one run per line, a
# name and its train-demo UNet options (`c16 --unet-channels 32,64 --unet-cross-attention 0,1`); each run starts with
# --vae-from the autoencoder, with its seed, scenes and latent factor. Every run stops at its first checkpoint after the
# deadline less MARGIN_S, and OUT/NAME.tgz.aa, .ab, ... get its model/ and train-log.tsv, in 15 MiB parts (the device
# tool brings back no file over 16 MiB; join them with `cat NAME.tgz.* | tar xz`).
#
# With SNAPSHOT_EVERY=N (a multiple of CHECKPOINT_EVERY), the archive also holds snap-STEP/ with the text encoder
# and UNet exported at every N steps, so one call gives each design's curve: copy model/ and put a snapshot's
# folders over it (the tokenizer and VAE never change, so they are left out). At --latent-factor 1 the snapshots
# of 2625 steps at every 250 made one archive over 16 MiB, which never came back: hence the parts. The
# trainer exports the model before it writes the state, and the next export comes a checkpoint interval
# later, so the model is copied once the state shows the step.
#
# With KEEP_CHECKPOINTS=1, OUT/NAME-checkpoint.tgz.aa, .ab, ... get its checkpoint without the latents, in
# 15 MiB parts (the device tool brings back at most 8 files of 16 MiB). To go on: unpack NAME.tgz.* and the
# joined parts into one folder, copy the autoencoder run's checkpoint/latents.safetensors into its checkpoint/
# and run train-demo --out on it with the same options. A GPU checkpoint resumes only with the same LibTorch:
# the CPU build (LibTorch 1.13) refuses PyTorch 2.x's optimizer state.
#
# Everything happens inside the one call: trainers left running (setsid) for a second call are lost when that
# call lands on a fresh machine, as happened here once the 30 s warm window had passed.
#
# On an H100, four runs side by side kept the GPU 99 % busy. Per step: 32x32 latents with text at 16x16 only,
# batch 32, 0.088 s (alone, a similar design took 0.068 s on an H200); batch 128, 0.146 s; with a 32x32
# cross-attention level or two layers per block, 0.20 s.
set -u
start=$(date +%s)
deadline=$((start + ${DEADLINE_S:?}))
OUT=${OUT:?}
log() { echo "== $(date +%T) +$(($(date +%s) - start))s $*"; }
# CLI and DEVICE (cuda unless set) let the script's own logic be tried on a CPU with a built daam-cli.
device=${DEVICE:-cuda}
if [ -n "${CLI:-}" ]; then
    cli=$CLI
else
    nvidia-smi --query-gpu=name,memory.total --format=csv,noheader
    source tests/cuda/build.sh cli || exit 1
    log "built"
fi

if [ -n "${AUTOENCODER_OPTIONS:-}" ]; then
    # Train the autoencoder here, with the built-in model's tokenizer (the same vocabulary; sentencepiece's
    # trainer crashes in this build). One UNet step of that run: the trainer encodes the latents on the way.
    base=/tmp/autoencoder
    rm -rf $base
    $cli train-demo --device $device --out $base --tokenizer-from resources/models/shapes-plain --unet-steps 1 \
        $AUTOENCODER_OPTIONS 2>&1 | tr '\r' '\n' | grep -v "^\s*$" | tail -1
    shared_options=$AUTOENCODER_OPTIONS
    log "autoencoder trained, latents encoded"
elif [ -f "${AUTOENCODER:?}/model_index.json" ]; then
    # A pipeline folder: each run takes its tokenizer and VAE and encodes its own latents (seconds on a GPU).
    base=$AUTOENCODER
    shared_options=
else
    base=/tmp/autoencoder
    rm -rf $base
    cp -r "$AUTOENCODER" $base
    # One UNet step of the autoencoder's own run: the trainer encodes the latents on the way there.
    $cli train-demo --device $device --out $base --decoder-steps 1 --unet-steps 1 $(cat $base/options) 2>&1 |
        tr '\r' '\n' | grep -v "^\s*$" | tail -1
    cp $base/vae-final/* $base/model/vae/ # that one decoder step is no decoder: keep the finished one
    shared_options=$(cat $base/autoencoder-options)
    log "latents encoded"
fi

# Stop at the first checkpoint after this: leave a checkpoint interval and the packing inside the deadline.
margin=${MARGIN_S:-90}
for_s=$((deadline - $(date +%s) - margin))
[ $for_s -lt 30 ] && { log "no time left to train"; exit 1; }
# Copies the text encoder and UNet of /tmp/NAME/model to /tmp/NAME/snap-STEP at every SNAPSHOT_EVERY steps,
# while the trainer PID runs.
snapshots() {
    local name=$1 pid=$2 step
    while kill -0 "$pid" 2> /dev/null; do
        step=$(sed -n 's/^ *"step": *\([0-9]*\).*/\1/p' /tmp/$name/checkpoint/state.json 2> /dev/null)
        if grep -q '"phase": *"unet"' /tmp/$name/checkpoint/state.json 2> /dev/null && [ -n "$step" ] &&
            [ "$step" -gt 0 ] && [ $((step % SNAPSHOT_EVERY)) = 0 ] && [ ! -d /tmp/$name/snap-$step ]; then
            mkdir -p /tmp/$name/snap-$step.part && cp -r /tmp/$name/model/{text_encoder,unet} /tmp/$name/snap-$step.part &&
                mv /tmp/$name/snap-$step.part /tmp/$name/snap-$step
        fi
        sleep 2
    done
}
names=()
while read -r name options; do
    [ -z "$name" ] || [ "${name:0:1}" = "#" ] && continue
    names+=("$name")
    rm -rf /tmp/$name # a fresh run, also where an earlier call on this machine left one
    DAAM_THREADS=4 $cli train-demo --device $device --out /tmp/$name --vae-from $base --unet-steps 1000000 \
        --checkpoint-every ${CHECKPOINT_EVERY:-250} --for $for_s $shared_options $options > /tmp/$name.log 2>&1 < /dev/null &
    trainer=$!
    [ "${SNAPSHOT_EVERY:-0}" -gt 0 ] && snapshots "$name" $trainer < /dev/null &
done < "${DESIGNS:?}"
log "${#names[@]} runs started, --for $for_s"
[ "$device" = cpu ] || { sleep 60; nvidia-smi --query-gpu=utilization.gpu,memory.used --format=csv,noheader; }
wait
# ARCHIVE.aa, .ab, ...: /tmp/$name's given paths in 15 MiB parts, for the device tool's 16 MiB file limit.
archive() {
    local dest=$1
    shift
    tar cz -C /tmp/$name "$@" | split -b 15M - "$dest."
}
for name in "${names[@]}"; do
    echo "$name: $(tr '\r' '\n' < /tmp/$name.log | grep -v '^\s*$' | tail -2 | head -1)"
    echo "  last log line: $(tail -1 /tmp/$name/train-log.tsv)"
    [ -d /tmp/$name/model ] || continue
    archive $OUT/$name.tgz model train-log.tsv $(cd /tmp/$name && ls -d snap-[0-9]* 2> /dev/null)
    [ "${KEEP_CHECKPOINTS:-0}" = 1 ] && archive $OUT/$name-checkpoint.tgz --exclude checkpoint/latents.safetensors checkpoint
done
log "end"
