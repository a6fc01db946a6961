#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes tests/data/img2img/: what diffusers 0.21.2's StableDiffusionImg2ImgPipeline and
StableDiffusionXLImg2ImgPipeline make of one input image on the tiny reference pipelines, for
tests/test_img2img.cpp.

Run with Debian's python3-torch (1.13) and the sources of diffusers v0.21.2 and huggingface_hub v0.16.4:

    PYTHONPATH=/path/to/diffusers@v0.21.2/src:/path/to/huggingface_hub@v0.16.4/src \
        /usr/bin/python3 tools/make_img2img_goldens.py ../shared/reference

Neither transformers nor the safetensors package can be installed here, and neither is on the img2img path
once the text is encoded: the prompt embeddings are taken from the reference cases (computed there by
transformers 4.30), the UNet and VAE are built from their config.json and filled from their .safetensors by
the small reader below, and the two packages are registered as empty modules so that diffusers imports.
The pipelines themselves (get_timesteps, prepare_latents with the VAE's sample and the noise drawn from one
generator, add_noise, the denoising loop) are diffusers' own code, unchanged.
"""
import functools
import importlib
import importlib.machinery
import json
import os
import struct
import sys
import types

import numpy as np
import torch


def register_empty_module(name, **attrs):
    module = types.ModuleType(name)
    module.__spec__ = importlib.machinery.ModuleSpec(name, None)
    for key, value in attrs.items():
        setattr(module, key, value)
    sys.modules[name] = module


class _Placeholder:  # the transformers classes the pipeline modules name in signatures and isinstance checks
    def __init__(self, *args, **kwargs):
        raise RuntimeError("transformers is not available to this generator")


register_empty_module("safetensors")
register_empty_module(
    "transformers",
    **{
        name: type(name, (_Placeholder,), {})
        for name in ("CLIPImageProcessor", "CLIPTextModel", "CLIPTextModelWithProjection", "CLIPTokenizer",
                     "CLIPConfig", "CLIPVisionModel", "CLIPVisionModelWithProjection", "PreTrainedModel")
    },
)

import diffusers  # noqa: E402
from diffusers import AutoencoderKL, UNet2DConditionModel  # noqa: E402
from PIL import Image  # noqa: E402

if diffusers.__version__ != "0.21.2":
    sys.exit(f"need diffusers 0.21.2, found {diffusers.__version__}")
img2img = importlib.import_module("diffusers.pipelines.stable_diffusion.pipeline_stable_diffusion_img2img")
xl_img2img = importlib.import_module("diffusers.pipelines.stable_diffusion_xl.pipeline_stable_diffusion_xl_img2img")

DTYPES = {"F32": (np.float32, torch.float32), "F64": (np.float64, torch.float64), "I64": (np.int64, torch.int64)}


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    (n,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8:8 + n])
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        begin, end = info["data_offsets"]
        np_dtype, _ = DTYPES[info["dtype"]]
        array = np.frombuffer(data[8 + n + begin:8 + n + end], dtype=np_dtype).reshape(info["shape"])
        tensors[name] = torch.from_numpy(array.copy())
    return tensors


def write_safetensors(path, tensors):
    header, blobs, offset = {}, [], 0
    for name in sorted(tensors):
        t = tensors[name].detach().cpu().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        blob = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def load_component(cls, folder, weights):
    with open(os.path.join(folder, "config.json")) as f:
        config = json.load(f)
    model = cls.from_config(config)
    state = read_safetensors(os.path.join(folder, weights))
    missing, unexpected = model.load_state_dict(state, strict=True), None
    del missing, unexpected
    return model.eval()


def scheduler_for(name, pipeline_dir):
    with open(os.path.join(pipeline_dir, "scheduler", "scheduler_config.json")) as f:
        config = json.load(f)
    classes = {
        "ddim": diffusers.DDIMScheduler,
        "pndm": diffusers.PNDMScheduler,
        "euler": diffusers.EulerDiscreteScheduler,
        "euler-a": diffusers.EulerAncestralDiscreteScheduler,
        "lms": diffusers.LMSDiscreteScheduler,
        "dpm++2m": diffusers.DPMSolverMultistepScheduler,
    }
    return classes[name].from_config(config)


def input_image(size):
    """A smooth background with a disc and a square: something for the VAE to encode that is not noise."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float64) / (size - 1)
    rgb = np.stack([0.2 + 0.6 * x, 0.3 + 0.4 * y, 0.8 - 0.5 * x * y], axis=-1)
    disc = (x - 0.33) ** 2 + (y - 0.4) ** 2 < 0.04
    rgb[disc] = [0.85, 0.15, 0.1]
    square = (abs(x - 0.7) < 0.14) & (abs(y - 0.7) < 0.14)
    rgb[square] = [0.1, 0.2, 0.75]
    return Image.fromarray(np.round(rgb * 255).astype(np.uint8), "RGB")


# (name, pipeline, reference case whose prompt embeddings are used, scheduler, steps, strength, guidance, seed)
CASES = [
    ("sd1_ddim", "sd1-tiny", "ddim_negprompt", "ddim", 10, 0.6, 7.5, 7),
    ("sd1_euler", "sd1-tiny", "ddim_negprompt", "euler", 8, 0.75, 7.5, 11),
    ("sd1_euler_a", "sd1-tiny", "ddim_negprompt", "euler-a", 6, 0.5, 7.5, 12),
    ("sd1_dpmpp_2m", "sd1-tiny", "ddim_negprompt", "dpm++2m", 10, 0.5, 5.0, 13),
    ("sd1_pndm", "sd1-tiny", "ddim_negprompt", "pndm", 8, 0.7, 7.5, 14),
    ("sd1_lms", "sd1-tiny", "ddim_negprompt", "lms", 8, 0.8, 7.5, 15),
    ("sd1_ddim_nocfg", "sd1-tiny", "ddim_negprompt", "ddim", 5, 1.0, 1.0, 16),
    ("sd2_euler_vpred", "sd2-tiny", "euler_64px", "euler", 6, 0.6, 7.5, 17),
    ("sdxl_euler", "sdxl-tiny", "euler", "euler", 6, 0.5, 5.0, 18),
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: make_img2img_goldens.py REFERENCE_DIR")
    reference = sys.argv[1]
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "data", "img2img")
    os.makedirs(out_dir, exist_ok=True)
    image_path = os.path.join(out_dir, "input.png")
    input_image(64).save(image_path)
    image = Image.open(image_path).convert("RGB")
    torch.set_grad_enabled(False)

    for name, pipeline, case, scheduler_name, steps, strength, guidance, seed in CASES:
        pipeline_dir = os.path.join(reference, "pipelines", pipeline)
        with open(os.path.join(reference, pipeline, "cases", case + ".json")) as f:
            case_json = json.load(f)
        embeds = read_safetensors(os.path.join(reference, pipeline, "cases", case + ".safetensors"))
        unet = load_component(UNet2DConditionModel, os.path.join(pipeline_dir, "unet"),
                              "diffusion_pytorch_model.safetensors")
        vae = load_component(AutoencoderKL, os.path.join(pipeline_dir, "vae"), "diffusion_pytorch_model.safetensors")
        scheduler = scheduler_for(scheduler_name, pipeline_dir)
        xl = pipeline == "sdxl-tiny"
        if xl:
            pipe = xl_img2img.StableDiffusionXLImg2ImgPipeline(
                vae=vae, text_encoder=None, text_encoder_2=None, tokenizer=None, tokenizer_2=None, unet=unet,
                scheduler=scheduler, requires_aesthetics_score=False, force_zeros_for_empty_prompt=True)
            # With the embeddings given, the pipeline still reads the second text encoder's dtype and projection
            # size (for the added time ids); those are all it needs of it.
            with open(os.path.join(pipeline_dir, "text_encoder_2", "config.json")) as f:
                projection_dim = json.load(f)["projection_dim"]
            pipe.text_encoder_2 = types.SimpleNamespace(
                dtype=torch.float32, config=types.SimpleNamespace(projection_dim=projection_dim))
        else:
            pipe = img2img.StableDiffusionImg2ImgPipeline(
                vae=vae, text_encoder=None, tokenizer=None, unet=unet, scheduler=scheduler, safety_checker=None,
                feature_extractor=None, requires_safety_checker=False)
        pipe.set_progress_bar_config(disable=True)

        captured = {}
        add_noise = scheduler.add_noise

        def recording_add_noise(original, noise, timesteps):
            captured["init_latents"] = original.clone()
            captured["noise"] = noise.clone()
            captured["noise_timestep"] = timesteps.clone().to(torch.float32)
            noisy = add_noise(original, noise, timesteps)
            captured["latents_noised"] = noisy.clone()
            return noisy

        scheduler.add_noise = recording_add_noise
        # Recorded from the scheduler rather than the pipeline's callback, which skips PNDM's first call.
        steps_latents, step_timesteps = [], []
        step = scheduler.step

        # wraps: the pipeline passes the generator (Euler a) and eta (DDIM) only to a step() whose signature
        # names them.
        @functools.wraps(step)
        def recording_step(model_output, timestep, sample, *args, **kwargs):
            out = step(model_output, timestep, sample, *args, **kwargs)
            steps_latents.append(out[0][0].clone())
            step_timesteps.append(float(timestep))
            return out

        scheduler.step = recording_step

        kwargs = dict(image=image, strength=strength, num_inference_steps=steps, guidance_scale=guidance,
                      generator=torch.Generator("cpu").manual_seed(seed), output_type="np",
                      prompt_embeds=embeds["prompt_embeds"])
        if guidance > 1:
            kwargs["negative_prompt_embeds"] = embeds["negative_prompt_embeds"]
        if xl:
            kwargs["pooled_prompt_embeds"] = embeds["pooled_prompt_embeds"]
            kwargs["negative_pooled_prompt_embeds"] = embeds["negative_pooled_prompt_embeds"]
        output = pipe(**kwargs)
        result_image = torch.from_numpy(np.ascontiguousarray(output.images[0].transpose(2, 0, 1))).float()

        tensors = dict(captured)
        tensors["latents_steps"] = torch.stack(steps_latents)
        tensors["step_timesteps"] = torch.tensor(step_timesteps, dtype=torch.float32)
        tensors["image"] = result_image
        write_safetensors(os.path.join(out_dir, name + ".safetensors"), tensors)
        record = {
            "case": name,
            "pipeline": pipeline,
            "prompt": case_json["prompt"],
            "negative_prompt": case_json.get("negative_prompt") or "",
            "embeddings_from": f"{pipeline}/cases/{case}.safetensors",
            "scheduler": scheduler_name,
            "scheduler_class": type(scheduler).__name__,
            "num_inference_steps": steps,
            "strength": strength,
            "guidance_scale": guidance,
            "seed": seed,
            "width": 64,
            "height": 64,
            "image": "input.png",
            "unet_calls": len(step_timesteps),
            "diffusers": diffusers.__version__,
            "torch": torch.__version__,
        }
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(record, f, indent=1)
            f.write("\n")
        print(f"{name}: {len(step_timesteps)} UNet calls from t={step_timesteps[0]:g}")


if __name__ == "__main__":
    main()
