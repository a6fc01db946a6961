#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes tests/data/unet/: diffusers 0.21.2's UNet2DConditionModel output on the tiny reference pipelines for
latents of at least 64x64, where DAAM Studio's float32 3x3 convolutions take oneDNN's Winograd kernels
(core/daam/nn/DenseLayers.h); the reference's own UNet cases are 16x24. For tests/test_unet.cpp.

Run as tools/make_img2img_goldens.py is run (its docstring gives the PYTHONPATH); it shares that script's
safetensors reader and writer and its way of building a UNet from the reference folder:

    PYTHONPATH=... /usr/bin/python3 tools/make_unet_goldens.py ../shared/reference
"""
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_img2img_goldens import UNet2DConditionModel, load_component, write_safetensors  # noqa: E402

# (name, pipeline, batch, latent height, latent width, timestep, seed): two sizes of the same pipeline, so that
# the test also takes a second size after the first, as a new image size does.
CASES = [
    ("sd1_64x64", "sd1-tiny", 2, 64, 64, 981, 21),
    ("sd1_72x80", "sd1-tiny", 1, 72, 80, 500, 22),
    ("sd2_64x64", "sd2-tiny", 2, 64, 64, 700, 23),
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_unet_goldens.py REFERENCE_DIR")
    reference = sys.argv[1]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "unet")
    os.makedirs(out_dir, exist_ok=True)
    torch.set_grad_enabled(False)
    for name, pipeline, batch, height, width, timestep, seed in CASES:
        unet = load_component(UNet2DConditionModel, os.path.join(reference, "pipelines", pipeline, "unet"),
                              "diffusion_pytorch_model.safetensors")
        generator = torch.Generator().manual_seed(seed)
        sample = torch.randn(batch, unet.config.in_channels, height, width, generator=generator)
        context = torch.randn(batch, 77, unet.config.cross_attention_dim, generator=generator)
        out = unet(sample, timestep, encoder_hidden_states=context).sample
        write_safetensors(os.path.join(out_dir, name + ".safetensors"), {
            "sample": sample, "encoder_hidden_states": context, "timestep": torch.tensor([timestep]), "out": out})
        print(f"{name}: out {list(out.shape)}, |out| {out.norm():.4g}")


if __name__ == "__main__":
    main()
