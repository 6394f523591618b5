"""Train the x4 super-resolution net (``course train sr``) and measure it against bicubic.

Training pairs come from 256 px renders: a random 64 px crop is the target, the same crop
averaged down to 16 px is the input (crops are cheaper than whole pictures and the network is
convolutional, so it then runs on whole 64 px pictures). L1 loss, Adam, cosine schedule.
Quality: PSNR of whole 256 px test renders enlarged from 64 px, next to bicubic enlargement.
"""

from __future__ import annotations

import platform
import sys
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch.nn import functional as F

from course_lib.models.super_resolution import (
    SRConfig,
    SuperResolution,
    bicubic,
    downsample,
    psnr,
    save_sr,
    upscale,
)


@dataclass
class SRTrainConfig:
    """Training settings; ``None`` sizes are filled from the profile."""

    hr_size: int = 256
    crop: int = 64
    n_train: int | None = None
    n_test: int | None = None
    steps: int | None = None
    batch_size: int = 16
    lr: float = 1e-3
    seed: int = 0
    threads: int | None = None


def warmup_cosine(steps: int, warmup: float = 0.05):
    """Learning-rate factor per step: linear warm-up over ``warmup`` of the steps, then a
    cosine decay to zero."""
    import math

    ramp = max(1, int(warmup * steps))

    def factor(step: int) -> float:
        if step < ramp:
            return (step + 1) / ramp
        return 0.5 * (1 + math.cos(math.pi * (step - ramp) / max(1, steps - ramp)))

    return factor


def _images(array: np.ndarray) -> torch.Tensor:
    """(N, H, W, 3) uint8 -> (N, 3, H, W) float in [-1, 1]."""
    x = torch.from_numpy(np.array(array, dtype=np.uint8)).permute(0, 3, 1, 2).float()
    return x / 127.5 - 1.0


def evaluate_sr(model: SuperResolution, split: str = "test", n: int = 200, hr_size: int = 256
                ) -> dict[str, float]:
    """PSNR (dB) of ``model`` and of bicubic enlargement on whole test renders."""
    from course_lib.data.landscapes.dataset import cached_split

    images, _ = cached_split(split, hr_size, n, progress=False)
    hr = _images(images)
    lr = downsample(hr, model.config.scale)
    return {"psnr_sr": round(psnr(upscale(model, lr), hr), 3),
            "psnr_bicubic": round(psnr(bicubic(lr, model.config.scale).clamp(-1, 1), hr), 3),
            "n": n, "hr_size": hr_size}


def train_sr(config: SRTrainConfig | None = None, model_config: SRConfig | None = None,
             progress: bool = True) -> tuple[SuperResolution, dict[str, Any]]:
    """Train the super-resolution net; returns the model (eval mode, CPU) and a report."""
    import pandas as pd
    from tqdm.auto import tqdm

    from course_lib.config import by_profile, pick_device, seed_everything
    from course_lib.data.landscapes.dataset import cached_split

    cfg = config or SRTrainConfig()
    n_train = cfg.n_train or by_profile(full=3000, fast=64)
    n_test = cfg.n_test or by_profile(full=200, fast=16)
    steps = cfg.steps or by_profile(full=1000, fast=10)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    device = pick_device()
    started = time.perf_counter()
    images, _ = cached_split("train", cfg.hr_size, n_train, progress=progress)
    x_all = torch.from_numpy(np.array(images, dtype=np.uint8))
    prepare_s = time.perf_counter() - started

    model = SuperResolution(model_config or SRConfig.course()).to(device)
    scale = model.config.scale
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(steps))
    gen = torch.Generator().manual_seed(cfg.seed)
    grid = cfg.hr_size - cfg.crop
    history = []
    bar = tqdm(range(steps), desc="super-resolution", disable=not progress)
    model.train()
    for step in bar:
        idx = torch.randint(0, n_train, (cfg.batch_size,), generator=gen)
        # Crops start on multiples of the scale, so the small picture lines up pixel for pixel.
        top = torch.randint(0, grid // scale + 1, (cfg.batch_size,), generator=gen) * scale
        left = torch.randint(0, grid // scale + 1, (cfg.batch_size,), generator=gen) * scale
        corners = zip(idx.tolist(), top.tolist(), left.tolist(), strict=True)
        hr = torch.stack([x_all[i, t:t + cfg.crop, s:s + cfg.crop] for i, t, s in corners])
        hr = hr.permute(0, 3, 1, 2).float() / 127.5 - 1.0
        flip = torch.rand(cfg.batch_size, generator=gen) < 0.5
        hr[flip] = hr[flip].flip(-1)
        hr = hr.to(device)
        loss = F.l1_loss(model(downsample(hr, scale)), hr)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        history.append({"step": step + 1, "l1": loss.item()})
        if step % 20 == 0:
            bar.set_postfix(l1=f"{loss.item():.4f}")
    train_s = time.perf_counter() - started - prepare_s
    model = model.cpu().eval()
    test = evaluate_sr(model, "test", n_test, cfg.hr_size)
    report = {
        "train_config": {**asdict(cfg), "n_train": n_train, "n_test": n_test, "steps": steps},
        "history": pd.DataFrame(history),
        "test": test,
        "prepare_seconds": round(prepare_s, 1),
        "train_seconds": round(train_s, 1),
        "device": str(device),
        "threads": torch.get_num_threads(),
    }
    return model, report


def write_checkpoint(model: SuperResolution, report: dict[str, Any], path: str | Path,
                     command: str | None = None) -> Path:
    """Save ``model`` with a sidecar recording the command, seed, date and measured quality."""
    from course_lib.data.landscapes.dataset import RENDER_VERSION

    hist = report["history"]
    every = max(1, len(hist) // 50)
    meta = {
        "command": command or " ".join(["course", *sys.argv[1:]]),
        "seed": report["train_config"]["seed"],
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "train": report["train_config"],
        "render_version": RENDER_VERSION,
        "quality": {"split": "test", **report["test"]},
        # The same figures on the first 24 test scenes: what tests re-measure in seconds.
        "quick_check": evaluate_sr(model, "test", 24, report["train_config"]["hr_size"]),
        "history": hist.iloc[::every].round(5).to_dict(orient="records"),
        "machine": f"{platform.machine()}, {report['device']}, {report['threads']} threads",
        "train_seconds": report["train_seconds"],
    }
    return save_sr(model, path, meta)
