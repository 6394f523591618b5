"""What the supervised training loops share: setup, a schedule, and steps that survive Ctrl-C.

The loops of FashionCNN, the segmenter, CLIP, super-resolution and the transformer are plain
``for step in run.steps():`` loops over a ``SupervisedRun``. On Ctrl-C the run finishes the
current step, writes everything the next step depends on (model, optimiser, schedule, random
generators, the loop's own variables in ``run.state``, the history) atomically into
``<run folder>/checkpoints`` and raises ``TrainingInterrupted`` ("run the same command again
to resume"). Run again with the same folder and settings, it prints "resuming from step N of
M" and ends with the same weights and history, bit for bit, as a run never interrupted; a run
that completes removes its checkpoint.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from course_lib.data.pixels import from_uint8
from course_lib.models.weights_file import POINTER, latest
from course_lib.training.checkpoint import (
    load_checkpoint,
    load_network_weights,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from course_lib.training.interrupts import deferred_interrupt, interrupted_at


def setup(seed: int, threads: int | None = None, device: str | None = None) -> torch.device:
    """CPU threads (when given), every random seed, and the device to train on."""
    from course_lib.config import pick_device, seed_everything

    if threads:
        torch.set_num_threads(threads)
    seed_everything(seed)
    return pick_device(device)


def to_tensor(images: np.ndarray) -> torch.Tensor:
    """uint8 images (N, H, W, 3) -> float (N, 3, H, W) in [-1, 1]."""
    return from_uint8(np.array(images, dtype=np.uint8), channels_last=True)


def train_renders(size: int, n: int, labels: bool = False, progress: bool = True
                  ) -> tuple[torch.Tensor, torch.Tensor | None]:
    """The first ``n`` Landscapes training renders in memory as uint8 tensors: images
    (N, H, W, 3) and, with ``labels``, their label maps (N, H, W)."""
    from course_lib.data.landscapes.dataset import cached_split

    images, label_maps = cached_split("train", size, n, progress=progress)
    x = torch.from_numpy(np.array(images, dtype=np.uint8))
    return x, torch.from_numpy(np.array(label_maps, dtype=np.uint8)) if labels else None


def warmup_cosine(steps: int, warmup: float = 0.05, overlap: bool = False
                  ) -> Callable[[int], float]:
    """Learning-rate factor per step: a linear warm-up over ``warmup`` of the steps, then a
    cosine decay to zero. ``overlap``: the cosine spans all steps and the warm-up scales its
    start instead (GPT's shape, used by the transformer)."""
    ramp = max(1, int(warmup * steps))

    def factor(step: int) -> float:
        if overlap:
            return min(1.0, (step + 1) / ramp) * 0.5 * (1 + math.cos(math.pi * step / steps))
        if step < ramp:
            return (step + 1) / ramp
        return 0.5 * (1 + math.cos(math.pi * (step - ramp) / max(1, steps - ramp)))

    return factor


def linear_decay(steps: int, decay_from: int | None) -> Callable[[int], float]:
    """Learning-rate factor per step: 1 until ``decay_from`` (None: always), then linearly
    down to 0 at ``steps`` (pix2pixHD's and DCGAN-style schedules). A function of the step
    alone, so a resumed run follows the same schedule as an uninterrupted one."""

    def factor(step: int) -> float:
        if decay_from is None or step < decay_from:
            return 1.0
        return max(0.0, (steps - step) / max(steps - decay_from, 1))

    return factor


def run_folder(out: str | Path) -> Path:
    """The run folder of an export target: ``out`` itself, or for a ``.safetensors`` file the
    folder of the same name beside it (``runs/x.safetensors`` -> ``runs/x``)."""
    out = Path(out)
    return out.with_suffix("") if out.suffix == ".safetensors" else out


class SupervisedRun:
    """The steps of one training loop, resumable from ``<folder>/checkpoints``.

    ``settings`` (the filled-in training config) is stored with each checkpoint; a checkpoint
    made with other settings is not resumed (training starts over, and says so). ``state``
    holds the loop's own variables (data order, running sums); the loop reads and updates
    ``run.state`` and appends its rows to ``run.history``. Without a folder nothing is saved.
    """

    def __init__(self, folder: str | Path | None, steps: int, model: nn.Module,
                 optimizer: torch.optim.Optimizer, scheduler: Any = None,
                 generator: torch.Generator | None = None, state: dict[str, Any] | None = None,
                 settings: dict[str, Any] | None = None, desc: str = "training",
                 progress: bool = True) -> None:
        self.folder = Path(folder) / "checkpoints" if folder is not None else None
        self.total, self.model, self.optimizer, self.scheduler = steps, model, optimizer, scheduler
        self.generator, self.settings = generator, settings or {}
        self.desc, self.progress = desc, progress
        self.step, self.history, self.state = 0, [], dict(state or {})
        self.bar = None  # the progress bar of ``steps()``
        if self.folder is not None and latest(self.folder):
            self._resume()

    def steps(self) -> Iterator[int]:
        """Yield the step numbers still to do (0-based); Ctrl-C stops after a whole step.

        The progress bar shows the newest history row. A run that completes removes its
        checkpoint, so the same command run again trains afresh (a checkpoint only exists
        while a run is unfinished).
        """
        from tqdm.auto import tqdm

        self.bar = tqdm(total=self.total, initial=self.step, desc=self.desc, unit="step",
                        disable=not self.progress)
        with deferred_interrupt() as ctrl_c:
            try:
                while self.step < self.total:
                    if ctrl_c.requested:
                        raise interrupted_at(self.step, self.folder, self.save)
                    yield self.step
                    self.step += 1
                    self.bar.update()
                    if self.history and self.step % 10 == 0:
                        self.bar.set_postfix(self.history[-1], refresh=False)
            finally:
                self.bar.close()
        self.discard()

    def stop(self) -> None:
        """End the run after the current step (a deadline), as if it were the last."""
        self.total = self.step + 1

    def save(self) -> None:
        """Write the checkpoint of the current step (nothing without a folder)."""
        if self.folder is None:
            return
        state = {
            "step": self.step, "history": self.history, "loop": self.state,
            "optimizer": self.optimizer.state_dict(),
            "scheduler": self.scheduler.state_dict() if self.scheduler is not None else None,
            "generator": self.generator.get_state() if self.generator is not None else None,
            "rng": rng_state(), "settings": self.settings,
        }
        save_checkpoint(self.folder, self.step, {"model": self.model}, state, keep=1)

    def discard(self) -> None:
        """Remove the checkpoint (and its folder, when that is left empty)."""
        if self.folder is None or not self.folder.is_dir():
            return
        for path in [*self.folder.glob("step-*"), self.folder / POINTER]:
            path.unlink(missing_ok=True)
        if not any(self.folder.iterdir()):
            self.folder.rmdir()

    def _resume(self) -> None:
        weights, state, _ = load_checkpoint(self.folder)
        if state["settings"] != self.settings:
            changed = sorted(k for k in {*state["settings"], *self.settings}
                             if state["settings"].get(k) != self.settings.get(k))
            print(f"the checkpoint in {self.folder} was made with other settings "
                  f"({', '.join(changed)}); starting from step 0")
            return
        load_network_weights({"model": self.model}, weights)
        self.optimizer.load_state_dict(state["optimizer"])
        if self.scheduler is not None:
            self.scheduler.load_state_dict(state["scheduler"])
        if self.generator is not None:
            self.generator.set_state(state["generator"])
        set_rng_state(state["rng"])
        self.step, self.history, self.state = state["step"], list(state["history"]), state["loop"]
        print(f"resuming from step {self.step} of {self.total} ({self.folder})", flush=True)
