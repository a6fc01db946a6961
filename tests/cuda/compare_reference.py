#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Runs every generation case of the reference folder through `daam-cli generate` on a device and prints,
per case, the largest relative error of the dumped tensors and the PNG's largest difference in levels.

The CPU tests (test_cli_generate, test_pipeline) hold the float32 CPU path to 1e-4; this script is how
the CUDA path is checked on a machine that has a GPU (see run-checks.sh), where no Qt test is built.
Needs numpy and Pillow.

    compare_reference.py --cli build/bin/daam-cli --reference ../shared/reference --device cuda [--dtype fp32]
"""
import argparse
import json
import pathlib
import struct
import subprocess
import sys
import tempfile

import numpy as np
from PIL import Image

DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "I64": np.int64, "I32": np.int32,
          "U8": np.uint8}

SCHEDULERS = {
    "DDIMScheduler": "ddim",
    "PNDMScheduler": "pndm",
    "EulerDiscreteScheduler": "euler",
    "EulerAncestralDiscreteScheduler": "euler-a",
    "LMSDiscreteScheduler": "lms",
}


def scheduler_name(meta):
    name = meta["scheduler"]
    if name == "DPMSolverMultistepScheduler":
        karras = meta.get("scheduler_config", {}).get("use_karras_sigmas", False)
        return "dpm++2m-karras" if karras else "dpm++2m"
    return SCHEDULERS[name]


def load_file(path):
    """A .safetensors file as {name: numpy array} (bfloat16 is not needed here)."""
    data = pathlib.Path(path).read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + size])
    body = data[8 + size:]
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        array = np.frombuffer(body[begin:end], dtype=DTYPES[info["dtype"]])
        tensors[name] = array.reshape(info["shape"])
    return tensors


def relative_error(out, ref):
    out = out.astype(np.float64).reshape(-1)
    ref = ref.astype(np.float64).reshape(-1)
    if out.shape != ref.shape:
        return float("inf")
    return float(np.linalg.norm(out - ref) / max(np.linalg.norm(ref), 1e-30))


def run_case(args, json_path, out_dir):
    meta = json.loads(json_path.read_text())
    pipeline = args.reference / "pipelines" / meta["pipeline"]
    cmd = [str(args.cli), "generate", "--model", str(pipeline), "--prompt", meta["prompt"],
           "--seed", str(meta["seed"]), "--steps", str(meta["num_inference_steps"]),
           "--guidance", repr(meta["guidance_scale"]), "--width", str(meta["width"]),
           "--height", str(meta["height"]), "--scheduler", scheduler_name(meta), "--eta", repr(meta["eta"]),
           "--device", args.device, "--dtype", args.dtype, "--out", str(out_dir), "--dump-latents"]
    if isinstance(meta.get("negative_prompt"), str):
        cmd += ["--negative", meta["negative_prompt"]]
    run = subprocess.run(cmd, capture_output=True, text=True)
    if run.returncode != 0:
        return None, run.stderr.strip().splitlines()[-1:] or ["exit %d" % run.returncode]
    dump = load_file(str(out_dir / "latents.safetensors"))
    ref = load_file(str(json_path.with_suffix(".safetensors")))
    errors = {"initial": relative_error(dump["initial"], ref["noise"])}
    steps = ref["latents_steps"]
    errors["steps"] = max(relative_error(dump["step_%03d" % i], steps[i]) for i in range(steps.shape[0]))
    errors["final"] = relative_error(dump["final"], ref["latents_final"])
    errors["image"] = relative_error(dump["image"], ref["image"][0])
    png = np.asarray(Image.open(out_dir / "image.png").convert("RGB"), dtype=np.int32)
    ref_png = np.asarray(Image.open(json_path.with_suffix(".png")).convert("RGB"), dtype=np.int32)
    errors["png_levels"] = int(np.abs(png - ref_png).max()) if png.shape == ref_png.shape else -1
    return errors, []


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cli", type=pathlib.Path, required=True)
    parser.add_argument("--reference", type=pathlib.Path, required=True)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--dtype", default="fp32")
    parser.add_argument("--limit", type=float, default=1e-4, help="relative error a float32 run must stay within")
    args = parser.parse_args()

    cases = sorted(args.reference.glob("*/cases/*.json"))
    if not cases:
        sys.exit("no cases under %s" % args.reference)
    failed = 0
    print("%-28s %10s %10s %10s %10s %4s" % ("case", "initial", "steps", "final", "image", "png"))
    with tempfile.TemporaryDirectory() as tmp:
        for i, path in enumerate(cases):
            name = "%s/%s" % (path.parent.parent.name, path.stem)
            errors, problem = run_case(args, path, pathlib.Path(tmp) / str(i))
            if errors is None:
                failed += 1
                print("%-28s FAILED: %s" % (name, " ".join(problem)))
                continue
            worst = max(errors[k] for k in ("initial", "steps", "final", "image"))
            bad = args.dtype == "fp32" and (worst > args.limit or errors["png_levels"] > 1)
            failed += bad
            print("%-28s %10.2e %10.2e %10.2e %10.2e %4d%s" % (
                name, errors["initial"], errors["steps"], errors["final"], errors["image"], errors["png_levels"],
                "  over the limit" if bad else ""))
    print("%d of %d cases failed" % (failed, len(cases)))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
