"""Train the tiny CLIP on (render, caption) pairs (``course train clip``) and measure it.

Every step draws a batch of rendered training scenes and, for each, one of its eight captions
(four phrasings in English, four in Russian), so the text encoder learns that "a lake in the
mountains at sunset" and "озеро в горах на закате" describe the same picture. Pictures are
flipped left-right at random (no caption says left or right). Loss: :func:`clip_loss`;
optimiser: AdamW with a one-cycle schedule.

Quality is caption retrieval on held-out test scenes: for each picture, rank the captions of
all N test scenes; top-1 / top-5 accuracy against chance (1/N, 5/N). Two different scenes can
share a caption word for word ("a meadow at night"), so a hit is a retrieved caption *equal*
to the picture's own.
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

from course_lib.models.clip import ClipConfig, TinyCLIP, WordTokenizer, clip_loss, save_clip


@dataclass
class ClipTrainConfig:
    """Training settings; ``None`` sizes are filled from the profile."""

    size: int = 64
    n_train: int | None = None
    n_test: int | None = None
    steps: int | None = None
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 0.1
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


def scene_captions(split: str, n: int) -> list[list[str]]:
    """For each of the first ``n`` scenes of ``split``: its 4 English then 4 Russian captions."""
    from course_lib.data.landscapes import captions, sample_scene
    from course_lib.data.landscapes.dataset import split_seeds

    out = []
    for seed in split_seeds(split, n):
        params = sample_scene(int(seed))
        out.append(captions(params, "en") + captions(params, "ru"))
    return out


@torch.no_grad()
def retrieval_accuracy(model: TinyCLIP, images: torch.Tensor, texts: list[str]
                       ) -> dict[str, float]:
    """Picture -> caption retrieval among ``texts`` (one caption per picture, same order).

    Returns top-1 and top-5 accuracy and their chance levels (a hit is any caption identical
    to the picture's own, so duplicates do not count against the model).
    """
    sims = model.similarity(images, texts)
    ranked = sims.topk(min(5, len(texts)), dim=1).indices
    same = np.array([[texts[j] == texts[i] for j in row] for i, row in enumerate(ranked.tolist())])
    # Chance: the share of captions identical to the picture's own (1/N without duplicates).
    dup = np.array([sum(t == s for t in texts) for s in texts]) / len(texts)
    return {"top1": float(same[:, 0].mean()), "top5": float(same.any(axis=1).mean()),
            "chance_top1": float(dup.mean()),
            "chance_top5": float(np.minimum(1.0, 5 * dup).mean()), "n": len(texts)}


def evaluate_clip(model: TinyCLIP, split: str = "test", n: int = 500, size: int = 64
                  ) -> dict[str, Any]:
    """Retrieval accuracy on the first ``n`` scenes of ``split``, English and Russian captions
    (each scene's default phrasing, picked by its seed)."""
    from course_lib.data.landscapes import caption, sample_scene
    from course_lib.data.landscapes.dataset import cached_split, split_seeds

    images, _ = cached_split(split, size, n, progress=False)
    x = _images(images)
    scenes = [sample_scene(int(s)) for s in split_seeds(split, n)]
    return {lang: retrieval_accuracy(model, x, [caption(p, lang) for p in scenes])
            for lang in ("en", "ru")}


def train_clip(config: ClipTrainConfig | None = None, model_config: ClipConfig | None = None,
               progress: bool = True) -> tuple[TinyCLIP, dict[str, Any]]:
    """Train a tiny CLIP; returns the model (eval mode, CPU) and a report."""
    import pandas as pd
    from tqdm.auto import tqdm

    from course_lib.config import by_profile, pick_device, seed_everything
    from course_lib.data.landscapes.dataset import cached_split

    cfg = config or ClipTrainConfig()
    n_train = cfg.n_train or by_profile(full=10_000, fast=256)
    n_test = cfg.n_test or by_profile(full=500, fast=100)
    steps = cfg.steps or by_profile(full=700, fast=10)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(cfg.seed)
    device = pick_device()
    started = time.perf_counter()
    images, _ = cached_split("train", cfg.size, n_train, progress=progress)
    x_all = torch.from_numpy(np.array(images, dtype=np.uint8))
    tokenizer = WordTokenizer.for_landscapes(500)
    texts = scene_captions("train", n_train)
    ids_all = torch.stack([tokenizer(t) for t in texts])  # (N, 8, max_len)
    prepare_s = time.perf_counter() - started

    mcfg = model_config or ClipConfig()
    model = TinyCLIP(mcfg, tokenizer).to(device)
    decay = [p for n, p in model.named_parameters() if p.ndim >= 2 and "position" not in n]
    rest = [p for n, p in model.named_parameters() if p.ndim < 2 or "position" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": cfg.weight_decay},
                             {"params": rest, "weight_decay": 0.0}], lr=cfg.lr)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(steps))
    gen = torch.Generator().manual_seed(cfg.seed)
    order, cursor, history = torch.randperm(n_train, generator=gen), 0, []
    batch = min(cfg.batch_size, n_train)
    bar = tqdm(range(steps), desc="CLIP", disable=not progress)
    model.train()
    for step in bar:
        if cursor + batch > n_train:
            order, cursor = torch.randperm(n_train, generator=gen), 0
        idx = order[cursor:cursor + batch]
        cursor += batch
        x = x_all[idx].permute(0, 3, 1, 2).float() / 127.5 - 1.0
        flip = torch.rand(len(idx), generator=gen) < 0.5
        x[flip] = x[flip].flip(-1)
        variant = torch.randint(0, ids_all.shape[1], (len(idx),), generator=gen)
        ids = ids_all[idx, variant]
        loss = clip_loss(model.image_encoder(x.to(device)), model.text_encoder(ids.to(device)),
                         model.scale())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        with torch.no_grad():  # CLIP clips the temperature: 1/T never above 100
            model.logit_scale.clamp_(max=float(np.log(mcfg.max_logit_scale)))
            history.append({"step": step + 1, "loss": loss.item(),
                            "temperature": float(1.0 / model.scale())})
        if step % 10 == 0:
            bar.set_postfix(loss=f"{loss.item():.3f}")
    train_s = time.perf_counter() - started - prepare_s
    model = model.cpu().eval()
    test = evaluate_clip(model, "test", n_test, cfg.size)
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


def write_checkpoint(model: TinyCLIP, report: dict[str, Any], path: str | Path,
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
        "quality": {"split": "test", "size": report["train_config"]["size"],
                    **{lang: {k: round(v, 4) if isinstance(v, float) else v
                              for k, v in r.items()} for lang, r in report["test"].items()}},
        "history": hist.iloc[::every].round(4).to_dict(orient="records"),
        "machine": f"{platform.machine()}, {report['device']}, {report['threads']} threads",
        "train_seconds": report["train_seconds"],
    }
    return save_clip(model, path, meta)
