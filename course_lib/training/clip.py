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

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from course_lib.data.pixels import from_uint8
from course_lib.models.clip import ClipConfig, TinyCLIP, WordTokenizer, clip_loss, save_clip
from course_lib.training.loop import SupervisedRun, setup, to_tensor, train_renders, warmup_cosine
from course_lib.training.report import exported, landscapes_sidecar, train_report


@dataclass
class ClipTrainConfig:
    """Training settings; ``None`` sizes come from the profile (``filled``)."""

    size: int = 64
    n_train: int | None = None  # full 10,000, fast 256
    n_test: int | None = None  # full 500, fast 100
    steps: int | None = None  # full 700, fast 10
    batch_size: int = 128
    lr: float = 2e-3
    weight_decay: float = 0.1
    seed: int = 0
    threads: int | None = None

    def filled(self) -> ClipTrainConfig:
        """This config with the profile's sizes in place of ``None``."""
        from course_lib.config import fill_from_profile

        return fill_from_profile(self, n_train=(10_000, 256), n_test=(500, 100), steps=(700, 10))


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
    x = to_tensor(images)
    scenes = [sample_scene(int(s)) for s in split_seeds(split, n)]
    return {lang: retrieval_accuracy(model, x, [caption(p, lang) for p in scenes])
            for lang in ("en", "ru")}


def write_checkpoint(model: TinyCLIP, report: dict[str, Any], path: str | Path,
                     command: str | None = None) -> Path:
    """Save ``model`` with a sidecar recording the command, seed, date and measured quality."""
    quality = {"split": "test", "size": report["train_config"]["size"],
               **{lang: {k: round(v, 4) if isinstance(v, float) else v for k, v in r.items()}
                  for lang, r in report["test"].items()}}
    return save_clip(model, path, landscapes_sidecar(report, command, quality))


def train_clip(config: ClipTrainConfig | None = None, model_config: ClipConfig | None = None,
               progress: bool = True, run: str | Path | None = None,
               export: str | Path | None = None, command: str = ""
               ) -> tuple[TinyCLIP, dict[str, Any]]:
    """Train a tiny CLIP; returns the model (eval mode, CPU) and a report (``run``,
    ``export`` and ``command`` as for ``train_segmenter``)."""
    cfg = (config or ClipTrainConfig()).filled()
    n_train, steps = cfg.n_train, cfg.steps
    device = setup(cfg.seed, cfg.threads)
    started = time.perf_counter()
    x_all, _ = train_renders(cfg.size, n_train, progress=progress)
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
    loop = SupervisedRun(run, steps, model, opt, sched, gen,
                         state={"order": torch.randperm(n_train, generator=gen), "cursor": 0},
                         settings={**asdict(cfg), "model": asdict(mcfg)}, desc="CLIP",
                         progress=progress)
    s, batch = loop.state, min(cfg.batch_size, n_train)
    model.train()
    for step in loop.steps():
        if s["cursor"] + batch > n_train:
            s["order"], s["cursor"] = torch.randperm(n_train, generator=gen), 0
        idx = s["order"][s["cursor"]:s["cursor"] + batch]
        s["cursor"] += batch
        x = from_uint8(x_all[idx], channels_last=True)
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
            loop.history.append({"step": step + 1, "loss": loss.item(),
                                 "temperature": float(1.0 / model.scale())})
    train_s = time.perf_counter() - started - prepare_s
    model = model.cpu().eval()
    test = evaluate_clip(model, "test", cfg.n_test, cfg.size)
    report = train_report(cfg, loop.history, test, device, train_s, prepare_seconds=prepare_s)
    return model, exported(report, write_checkpoint, model, export, command)
