#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Packs a finished autoencoder of a CPU training run for train-designs.sh (runs here, not on the GPU machine):
#
#   tests/cuda/pack-autoencoder.sh TRAINING_DIR DEST
#
# TRAINING_DIR is a train-demo folder past its decoder phase. DEST gets its tokenizer, its VAE checkpoint,
# its finished exported VAE (DEST/vae-final) and its state set back to the latents phase, but not the
# latents themselves (hundreds of MB at 32x32): the GPU machine encodes them again in seconds, from the same
# VAE, so the designs trained there start from this run's autoencoder. DEST/options holds the train-demo
# options that match the checkpoint's identity; DEST/autoencoder-options those that every run taking this
# autoencoder (--vae-from) must repeat.
set -eu
src=${1:?training folder}
dest=${2:?destination}
state=$src/checkpoint/state.json
python3 - "$state" << 'PY'
import json, sys
phase = json.load(open(sys.argv[1])).get("phase")
if phase not in ("unet", "done"):
    sys.exit(f"{sys.argv[1]}: the decoder has not finished (phase '{phase}')")
PY
rm -rf "$dest"
mkdir -p "$dest/checkpoint" "$dest/model"
cp "$src"/checkpoint/{vae.safetensors,vae-config.json} "$dest/checkpoint/"
cp -r "$src/model/tokenizer" "$dest/model/"
cp -r "$src/model/vae" "$dest/vae-final"
python3 - "$state" "$dest" << 'PY'
import json, sys
state = json.load(open(sys.argv[1]))
state.update(phase="latents", step=0)
json.dump(state, open(sys.argv[2] + "/checkpoint/state.json", "w"), indent=2)
i = state["identity"]
flags = lambda xs: ",".join("1" if x else "0" for x in xs)
shared = [f"--seed {i['seed']}", f"--vae-batch {i['vae_batch']}", f"--scenes {i['latent_scenes']}",
          f"--latent-factor {i.get('latent_factor', 4)}"]
open(sys.argv[2] + "/autoencoder-options", "w").write(" ".join(shared) + "\n")
opts = shared + [f"--unet-batch {i['unet_batch']}",
        "--unet-channels " + ",".join(map(str, i["unet_channels"])),
        "--unet-cross-attention " + flags(i["unet_cross_attention"]),
        f"--unet-layers-per-block {i.get('unet_layers_per_block', 1)}",
        f"--unet-mid-block {i.get('unet_mid_block', 'cross')}"]
if i.get("unet_only_cross_attention"):
    opts.append("--unet-only-cross-attention " + flags(i["unet_only_cross_attention"]))
open(sys.argv[2] + "/options", "w").write(" ".join(opts) + "\n")
PY
echo "$dest: $(du -sh "$dest" | cut -f1), options: $(cat "$dest/options")"
