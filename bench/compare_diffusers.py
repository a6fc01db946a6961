#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Seconds per guided UNet call (batch 2: unconditional and conditional) of diffusers' UNet2DConditionModel and of
ours on the same pipeline folder, measured in one run, and their ratio.

    PYTHONPATH=/path/to/diffusers@v0.21.2/src:/path/to/huggingface_hub@v0.16.4/src \\
        /usr/bin/python3 bench/compare_diffusers.py --model /tmp/sd15 --daam-cli build/bin/daam-cli [--dtype bf16]
        [--device cuda --dtype fp16 --calls 20]

`--model` is a diffusers folder such as the one `daam-cli bench --sd15-shapes DIR` writes (SD 1.5's shapes, random
weights); the latents are 64x64 (512x512 images). Debian's python3-torch (1.13) runs diffusers; the script sets the
same conditions for both sides: 2 threads (or --threads), OpenBLAS kernels chosen as daam-cli chooses them, and
glibc's malloc kept from handing freed blocks back to the OS (GLIBC_TUNABLES; without it diffusers re-faults its
activations every call, 4x slower at these shapes). diffusers runs in a child process, once in the default memory
format and once in channels_last; ours is `daam-cli bench` (untraced calls, median). The calls alternate sides:
diffusers, ours, diffusers channels_last. On a GPU (`--device cuda`, where the machine's PyTorch runs diffusers) each
timed call ends with the device synchronized, and channels_last is left out.

Neither transformers nor the safetensors package is needed: the UNet is built from its config.json and filled from
its .safetensors by the small reader below (the two packages are registered as empty modules so that diffusers
imports).
"""
import argparse
import json
import os
import re
import statistics
import struct
import subprocess
import sys
import time

MALLOC_TUNED = "glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=68719476736"


def child_env(threads, blas_core):
    env = dict(os.environ)
    env["GLIBC_TUNABLES"] = MALLOC_TUNED
    env["OMP_NUM_THREADS"] = str(threads)
    if blas_core:
        env["OPENBLAS_CORETYPE"] = blas_core
    return env


def time_diffusers(model, dtype, channels_last, calls, threads, device):
    """Runs in the child process: builds diffusers' UNet, times `calls` guided calls after one warm-up call."""
    import importlib.machinery
    import types

    import numpy as np
    import torch

    def register_empty_module(name, **attrs):
        module = types.ModuleType(name)
        module.__spec__ = importlib.machinery.ModuleSpec(name, None)
        for key, value in attrs.items():
            setattr(module, key, value)
        sys.modules[name] = module

    class Placeholder:
        def __init__(self, *args, **kwargs):
            raise RuntimeError("transformers is not available to this benchmark")

    register_empty_module("safetensors")
    register_empty_module("transformers", **{name: type(name, (Placeholder,), {}) for name in (
        "CLIPImageProcessor", "CLIPTextModel", "CLIPTextModelWithProjection", "CLIPTokenizer", "CLIPConfig",
        "CLIPVisionModel", "CLIPVisionModelWithProjection", "PreTrainedModel")})
    import diffusers
    from diffusers import UNet2DConditionModel

    if diffusers.__version__ != "0.21.2":
        sys.exit(f"need diffusers 0.21.2, found {diffusers.__version__}")
    torch.set_num_threads(threads)
    torch.set_grad_enabled(False)

    unet_dir = os.path.join(model, "unet")
    with open(os.path.join(unet_dir, "config.json")) as f:
        config = json.load(f)
    path = os.path.join(unet_dir, "diffusion_pytorch_model.safetensors")
    np_types = {"F32": np.float32, "F16": np.float16}
    state = {}
    with open(path, "rb") as f:
        (n,) = struct.unpack("<Q", f.read(8))
        header = json.loads(f.read(n))
        base = 8 + n
        for name, info in header.items():
            if name == "__metadata__":
                continue
            begin, end = info["data_offsets"]
            f.seek(base + begin)
            array = np.frombuffer(f.read(end - begin), dtype=np_types[info["dtype"]]).reshape(info["shape"])
            state[name] = torch.from_numpy(array.copy())
    unet = UNet2DConditionModel.from_config(config)
    missing, unexpected = unet.load_state_dict(state, strict=False)
    if missing or unexpected:
        sys.exit(f"{path}: {len(missing)} tensors missing, {len(unexpected)} unexpected for diffusers' UNet")
    del state
    torch_dtype = {"fp32": torch.float32, "bf16": torch.bfloat16, "fp16": torch.float16}[dtype]
    unet = unet.to(device, torch_dtype).eval()
    if channels_last:
        unet = unet.to(memory_format=torch.channels_last)

    generator = torch.Generator().manual_seed(0)
    latents = torch.randn(2, config["in_channels"], 64, 64, generator=generator).to(device, torch_dtype)
    if channels_last:
        latents = latents.contiguous(memory_format=torch.channels_last)
    context_dim = config["cross_attention_dim"]
    context = torch.randn(2, 77, context_dim, generator=generator).to(device, torch_dtype)
    synchronize = torch.cuda.synchronize if device.startswith("cuda") else (lambda: None)
    seconds = []
    for i in range(calls + 1):
        synchronize()
        start = time.perf_counter()
        unet(latents, 999 - 20 * i, encoder_hidden_states=context)
        synchronize()
        if i > 0:  # the first call builds oneDNN's kernels and grows the heap
            seconds.append(time.perf_counter() - start)
    print(json.dumps({"seconds": seconds}))


def diffusers_median(args, channels_last, blas_core):
    command = [sys.executable, os.path.abspath(__file__), "--child", "--model", args.model, "--dtype", args.dtype,
               "--calls", str(args.calls), "--threads", str(args.threads), "--device", args.device]
    if channels_last:
        command.append("--channels-last")
    out = subprocess.run(command, env=child_env(args.threads, blas_core), check=True, capture_output=True, text=True)
    return statistics.median(json.loads(out.stdout.strip().splitlines()[-1])["seconds"])


def ours(args):
    env = dict(os.environ)
    env["DAAM_THREADS"] = str(args.threads)
    # PNDM: steps + 1 UNet calls per generation, the first (with the text encoder) not timed.
    command = [args.daam_cli, "bench", "--model", args.model, "--prompt", "a photograph of an astronaut riding a horse",
               "--steps", str(max(2, args.calls)), "--dtype", args.dtype, "--device", args.device]
    out = subprocess.run(command, env=env, check=True, capture_output=True, text=True).stdout
    seconds = re.search(r"^untraced: ([0-9.]+) s per UNet call", out, re.M)
    blas = re.search(r"BLAS kernels (\S+);", out)
    if not seconds:
        sys.exit("daam-cli bench printed no untraced seconds per call:\n" + out)
    return float(seconds.group(1)), (blas.group(1) if blas else ""), out


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", required=True, help="a diffusers pipeline folder")
    parser.add_argument("--daam-cli", default="build/bin/daam-cli")
    parser.add_argument("--dtype", choices=["fp32", "bf16", "fp16"], default="fp32", help="fp16: on a GPU only")
    parser.add_argument("--device", default="cpu", help="cpu, or cuda (the machine's PyTorch runs diffusers there)")
    parser.add_argument("--calls", type=int, default=3, help="timed guided calls per side")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--channels-last", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        time_diffusers(args.model, args.dtype, args.channels_last, args.calls, args.threads, args.device)
        return

    # daam-cli picks the OpenBLAS kernels for this CPU; ask it first so that diffusers gets the same ones.
    probe = subprocess.run([args.daam_cli, "bench", "--help"], capture_output=True, text=True)
    if probe.returncode != 0:
        sys.exit(f"{args.daam_cli} does not run: {probe.stderr.strip()}")
    ours_first, blas_core, report = ours(args)
    on_cpu = args.device == "cpu"
    plain = diffusers_median(args, False, blas_core)
    cl = diffusers_median(args, True, blas_core) if on_cpu else None
    ours_second, _, _ = ours(args)
    mine = min(ours_first, ours_second)
    best = min(plain, cl) if on_cpu else plain
    print(report.splitlines()[0])
    where = f"{args.threads} threads" if on_cpu else args.device
    print(f"{args.dtype}, {where}, 64x64 latents, batch 2, seconds per guided UNet call (median):")
    print(f"  diffusers 0.21.2: {plain:.4f} (NCHW)" + (f", {cl:.4f} (channels_last)" if on_cpu else ""))
    print(f"  daam:             {ours_first:.4f}, {ours_second:.4f} (before and after diffusers)")
    against = "diffusers' faster layout against our faster run" if on_cpu else "against our faster run"
    print(f"diffusers / daam: {best / mine:.2f}x ({against})")


if __name__ == "__main__":
    main()
