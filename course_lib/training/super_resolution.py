"""Train the x4 super-resolution net (``course train sr``) and measure it against bicubic.

Training pairs come from 256 px renders: a random 64 px crop is the target, the same crop
averaged down to 16 px is the input (crops are cheaper than whole pictures and the network is
convolutional, so it then runs on whole 64 px pictures). L1 loss, Adam, cosine schedule.
Quality: PSNR of whole 256 px test renders enlarged from 64 px, next to bicubic enlargement.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch.nn import functional as F

from course_lib.data.pixels import from_uint8
from course_lib.models.super_resolution import (
    SRConfig,
    SuperResolution,
    bicubic,
    downsample,
    psnr,
    save_sr,
    upscale,
)
from course_lib.training.loop import SupervisedRun, setup, to_tensor, train_renders, warmup_cosine
from course_lib.training.report import exported, landscapes_sidecar, train_report


@dataclass
class SRTrainConfig:
    """Training settings; ``None`` sizes come from the profile (``filled``)."""

    hr_size: int = 256
    crop: int = 64
    n_train: int | None = None  # full 3,000, fast 64
    n_test: int | None = None  # full 200, fast 16
    steps: int | None = None  # full 1,000, fast 10
    batch_size: int = 16
    lr: float = 1e-3
    seed: int = 0
    threads: int | None = None

    def filled(self) -> SRTrainConfig:
        """This config with the profile's sizes in place of ``None``."""
        from course_lib.config import fill_from_profile

        return fill_from_profile(self, n_train=(3000, 64), n_test=(200, 16), steps=(1000, 10))


def evaluate_sr(model: SuperResolution, split: str = "test", n: int = 200, hr_size: int = 256
                ) -> dict[str, float]:
    """PSNR (dB) of ``model`` and of bicubic enlargement on whole test renders."""
    from course_lib.data.landscapes.dataset import cached_split

    images, _ = cached_split(split, hr_size, n, progress=False)
    hr = to_tensor(images)
    lr = downsample(hr, model.config.scale)
    return {"psnr_sr": round(psnr(upscale(model, lr), hr), 3),
            "psnr_bicubic": round(psnr(bicubic(lr, model.config.scale).clamp(-1, 1), hr), 3),
            "n": n, "hr_size": hr_size}


def write_checkpoint(model: SuperResolution, report: dict[str, Any], path: str | Path,
                     command: str | None = None) -> Path:
    """Save ``model`` with a sidecar recording the command, seed, date and measured quality."""
    # The same figures on the first 24 test scenes: what tests re-measure in seconds.
    quick = evaluate_sr(model, "test", 24, report["train_config"]["hr_size"])
    return save_sr(model, path, landscapes_sidecar(report, command, {"split": "test",
                                                                     **report["test"]},
                                                   decimals=5, quick_check=quick))


def train_sr(config: SRTrainConfig | None = None, model_config: SRConfig | None = None,
             progress: bool = True, run: str | Path | None = None,
             export: str | Path | None = None, command: str = ""
             ) -> tuple[SuperResolution, dict[str, Any]]:
    """Train the super-resolution net; returns the model (eval mode, CPU) and a report
    (``run``, ``export`` and ``command`` as for ``train_segmenter``)."""
    cfg = (config or SRTrainConfig()).filled()
    device = setup(cfg.seed, cfg.threads)
    started = time.perf_counter()
    x_all, _ = train_renders(cfg.hr_size, cfg.n_train, progress=progress)
    prepare_s = time.perf_counter() - started

    model = SuperResolution(model_config or SRConfig.course()).to(device)
    scale = model.config.scale
    opt = torch.optim.Adam(model.parameters(), lr=cfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(cfg.steps))
    gen = torch.Generator().manual_seed(cfg.seed)
    grid = cfg.hr_size - cfg.crop
    loop = SupervisedRun(run, cfg.steps, model, opt, sched, gen,
                         settings={**asdict(cfg), "model": asdict(model.config)},
                         desc="super-resolution", progress=progress)
    model.train()
    for step in loop.steps():
        idx = torch.randint(0, cfg.n_train, (cfg.batch_size,), generator=gen)
        # Crops start on multiples of the scale, so the small picture lines up pixel for pixel.
        top = torch.randint(0, grid // scale + 1, (cfg.batch_size,), generator=gen) * scale
        left = torch.randint(0, grid // scale + 1, (cfg.batch_size,), generator=gen) * scale
        corners = zip(idx.tolist(), top.tolist(), left.tolist(), strict=True)
        hr = torch.stack([x_all[i, t:t + cfg.crop, s:s + cfg.crop] for i, t, s in corners])
        hr = from_uint8(hr, channels_last=True)
        flip = torch.rand(cfg.batch_size, generator=gen) < 0.5
        hr[flip] = hr[flip].flip(-1)
        hr = hr.to(device)
        loss = F.l1_loss(model(downsample(hr, scale)), hr)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        loop.history.append({"step": step + 1, "l1": loss.item()})
    train_s = time.perf_counter() - started - prepare_s
    model = model.cpu().eval()
    test = evaluate_sr(model, "test", cfg.n_test, cfg.hr_size)
    report = train_report(cfg, loop.history, test, device, train_s, prepare_seconds=prepare_s)
    return model, exported(report, write_checkpoint, model, export, command)
