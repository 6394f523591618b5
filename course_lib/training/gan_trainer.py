"""The adversarial training loop shared by every generative unit (GAN, LSGAN, pix2pixHD, ...).

What one step *means* belongs to a task object; everything else belongs to the trainer.

The task (see ``AdversarialTask``, e.g. ``GANTask``) owns the networks and says how to
compute the discriminator's and the generator's losses on a batch. The trainer turns that
into a training run: device, mixed precision, channels_last, ``torch.compile``,
DistributedDataParallel under ``torchrun``, a resumable data order, the optimizer steps,
a progress bar, a history DataFrame, sample grids, atomic checkpoints and a NaN guard.

One training step, as in Algorithm 1 of Goodfellow et al. (2014)::

    repeat d_steps times:                      # k in the paper; 1 is the usual choice
        losses = task.d_step(nets, next batch)  # D on real and on (detached) fake images
        update D with losses["loss"]
    losses = task.g_step(nets, batch)           # G through D; only G's optimizer steps
    update G with losses["loss"]

A NaN or infinite loss stops the run cleanly before any optimizer step uses it; the last
checkpoint stays the newest one (``save`` also refuses non-finite weights). The networks in
memory keep their parameters from the last good step, but the failed forward pass may have
moved batch-norm statistics: to continue, reload the checkpoint (a new trainer does that).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import torch
from torch import nn
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from torch.utils.data import DataLoader, Dataset, DistributedSampler

from course_lib.config import by_profile, pick_device
from course_lib.models.weights_file import latest
from course_lib.training import distributed
from course_lib.training.checkpoint import (
    load_checkpoint,
    load_network_weights,
    rng_state,
    save_checkpoint,
    set_rng_state,
)
from course_lib.training.interrupts import (
    InterruptFlag,
    deferred_interrupt,
    interrupted_at,
)
from course_lib.training.loop import linear_decay
from course_lib.training.precision import autocast, make_scaler, resolve_precision
from course_lib.training.samples import plot_gan_history, save_grid

Batch = Any
LossDict = dict[str, torch.Tensor]


class AdversarialTask(Protocol):
    """What the trainer needs from a model: networks, two loss computations, a preview.

    ``networks`` must contain ``"generator"`` and ``"discriminator"``. The step methods
    receive ``nets``, the same networks possibly wrapped (DDP, compiled), and must use those.
    Each returns a dict whose ``"loss"`` entry is minimised; other entries are only logged.
    """

    networks: dict[str, nn.Module]

    def d_step(self, nets: dict[str, nn.Module], batch: Batch) -> LossDict: ...

    def g_step(self, nets: dict[str, nn.Module], batch: Batch) -> LossDict: ...

    def fixed_inputs(self, n: int, generator: torch.Generator) -> torch.Tensor: ...

    def preview(self, nets: dict[str, nn.Module], inputs: torch.Tensor) -> torch.Tensor: ...

    def meta(self) -> dict[str, Any]: ...


@dataclass
class TrainConfig:
    """How to train (defaults: DCGAN's Adam settings, one D step per G step)."""

    steps: int | None = None  # None: from the profile, 10,000 (COURSE_PROFILE=fast: 200)
    batch_size: int = 64  # per process; under torchrun the global batch is world_size times this
    lr_g: float = 2e-4
    lr_d: float = 2e-4
    betas: tuple[float, float] = (0.5, 0.999)
    d_steps: int = 1  # discriminator updates per generator update (k in Goodfellow et al.)
    # From this step on both learning rates fall linearly, reaching 0 at ``steps`` (pix2pixHD
    # and SPADE decay over the second half of training); None keeps them constant.
    lr_decay_from: int | None = None
    # Keep an exponential moving average of G's weights and batch-norm statistics (decay per
    # step, e.g. 0.999); samples and exported generators then use the average (Karras et al.
    # 2018, Yazici et al. 2019). None: no average, the live generator is the result.
    ema_decay: float | None = None
    precision: str = "auto"  # auto | fp32 | bf16 | fp16, see course_lib.training.precision
    channels_last: bool = False  # NHWC memory layout: faster convolutions on tensor cores
    compile: bool = False  # torch.compile the networks (slow first steps, faster later ones)
    sync_batchnorm: bool = False  # under torchrun on GPUs: batch statistics over all ranks
    log_every: int = 50  # one history row per this many steps (means over them)
    sample_every: int = 500  # 0: never
    checkpoint_every: int = 1000  # 0: only at the end (needs out_dir)
    n_samples: int = 64  # images in each sample grid
    seed: int = 0
    num_workers: int = 0
    device: str | None = None  # None: course_lib.config.pick_device()
    progress: bool = True


def with_profile_steps(config: TrainConfig) -> TrainConfig:
    """``config`` with ``steps=None`` filled from the profile (full 10,000, fast 200)."""
    return config if config.steps is not None else replace(
        config, steps=by_profile(full=10_000, fast=200))


class NonFiniteLoss(FloatingPointError):
    """A loss became NaN or infinite; training stopped before applying it."""


class ResumableSampler(DistributedSampler):
    """``DistributedSampler`` that can start in the middle of an epoch.

    The order of epoch ``e`` is a permutation seeded by ``seed + e``, so it depends on nothing
    else; skipping the first ``start`` indices resumes a run exactly where it stopped.
    """

    def __init__(self, dataset: Dataset, num_replicas: int, rank: int, seed: int):
        super().__init__(dataset, num_replicas=num_replicas, rank=rank, shuffle=True, seed=seed,
                         drop_last=True)
        self.start = 0

    def __iter__(self) -> Iterator[int]:
        return itertools.islice(super().__iter__(), self.start, None)

    def __len__(self) -> int:
        return super().__len__() - self.start


class GANTrainer:
    """Train an ``AdversarialTask`` on a dataset; ``fit()`` returns the history DataFrame.

    With ``out_dir``, checkpoints go to ``out_dir/checkpoints`` and sample grids to
    ``out_dir/samples``; with ``resume=True`` an existing checkpoint there is loaded, so running
    the same code again continues the run instead of starting over. Without ``out_dir`` nothing
    is written and the sample grids are kept in ``self.samples`` ({step: images}).

    The constructor seeds PyTorch with ``config.seed + rank``: the noise stream is reproducible
    and differs between ranks.
    """

    def __init__(self, task: AdversarialTask, dataset: Dataset, config: TrainConfig | None = None,
                 out_dir: str | Path | None = None, resume: bool = True):
        self.task, self.config = task, (c := with_profile_steps(config or TrainConfig()))
        self.dist = distributed.current()
        self.device = pick_device(c.device)
        if self.device.type == "cuda" and self.dist.enabled:
            self.device = torch.device("cuda", self.dist.local_rank)
        self.precision = resolve_precision(c.precision, self.device)
        self.out_dir = Path(out_dir) if out_dir is not None else None
        torch.manual_seed(c.seed + self.dist.rank)

        self.nets = task.networks
        for net in self.nets.values():
            net.to(self.device)
            if c.channels_last:
                net.to(memory_format=torch.channels_last)
        self.optimizers = {
            "discriminator": torch.optim.Adam(self.nets["discriminator"].parameters(), c.lr_d,
                                              betas=c.betas),
            "generator": torch.optim.Adam(self.nets["generator"].parameters(), c.lr_g,
                                          betas=c.betas),
        }
        self.scalers = {name: make_scaler(self.precision, self.device) for name in self.optimizers}
        self.wrapped = {name: self._wrap(net) for name, net in self.nets.items()}
        self.ema = AveragedModel(self.nets["generator"], multi_avg_fn=get_ema_multi_avg_fn(
            c.ema_decay), use_buffers=True) if c.ema_decay else None

        self.sampler = ResumableSampler(dataset, self.dist.world_size, self.dist.rank, c.seed)
        self.batches_per_epoch = self.sampler.num_samples // c.batch_size
        if self.batches_per_epoch == 0:
            raise ValueError(f"the data set ({len(dataset)} items) is smaller than one batch "
                             f"({c.batch_size} per process x {self.dist.world_size} processes)")
        # A generator of its own keeps the loader from drawing on torch's global random state.
        self.loader = DataLoader(dataset, batch_size=c.batch_size, sampler=self.sampler,
                                 drop_last=True, num_workers=c.num_workers,
                                 pin_memory=self.device.type == "cuda",
                                 generator=torch.Generator().manual_seed(c.seed))
        self.fixed_inputs = task.fixed_inputs(c.n_samples, torch.Generator().manual_seed(c.seed))

        self.step, self.batches_seen = 0, 0
        self.rows: list[dict[str, float]] = []
        self.samples: dict[int, torch.Tensor] = {}
        self.stopped: str | None = None  # why fit() stopped early, if it did
        self._sums: dict[str, float] = {}
        self._count = 0
        if resume and self.checkpoint_dir is not None and latest(self.checkpoint_dir):
            self.load(self.checkpoint_dir)
            if self.dist.is_main and c.progress:
                print(f"resuming from step {self.step} of {c.steps} ({self.checkpoint_dir})")

    # ----------------------------------------------------------------------- the loop
    def fit(self, steps: int | None = None) -> pd.DataFrame:
        """Train until ``steps`` steps in total (default ``config.steps``); return the history.

        Rows are logged every ``log_every`` steps and at ``config.steps``; a shorter ``fit``
        keeps its unfinished interval and completes it when training continues.
        """
        from tqdm.auto import tqdm

        c, target = self.config, steps if steps is not None else self.config.steps
        bar = tqdm(total=target, initial=self.step, desc="training", unit="step",
                   disable=not (c.progress and self.dist.is_main))
        batches = self._batches()
        with deferred_interrupt() as ctrl_c:
            self._loop(batches, target, bar, ctrl_c)
        for net in self.nets.values():  # every rank ends with rank 0's batch-norm statistics
            distributed.broadcast_buffers(net)
        return self.history

    def _loop(self, batches: Iterator[Batch], target: int, bar, ctrl_c: InterruptFlag) -> None:
        """The steps of ``fit``; a Ctrl-C (``ctrl_c.requested``) stops after a whole step."""
        c = self.config
        try:
            while self.step < target:
                if ctrl_c.requested:
                    self._interrupted()
                self._accumulate(self._train_step(batches))
                self.step += 1
                if self.step % c.log_every == 0 or self.step == c.steps:
                    self._log()
                    bar.set_postfix({k: f"{v:.3f}" for k, v in self.rows[-1].items()
                                     if k != "step"})
                if c.sample_every and self.step % c.sample_every == 0:
                    self.sample()
                if self.checkpoint_dir is not None and (
                        (c.checkpoint_every and self.step % c.checkpoint_every == 0)
                        or self.step == target):
                    self.save()
                bar.update()
        except NonFiniteLoss as err:
            pointer = latest(self.checkpoint_dir) if self.checkpoint_dir else None
            kept = (f"; the last good checkpoint (step {pointer['step']}) is kept in "
                    f"{self.checkpoint_dir}" if pointer else "")
            self.stopped = f"{err}{kept}. Try a lower learning rate or fp32."
            if self.dist.is_main:
                print(f"Training stopped: {self.stopped}")
        finally:
            bar.close()

    def _interrupted(self) -> None:
        """Save at the current (whole) step when there is a run folder, then stop."""
        raise interrupted_at(self.step, self.checkpoint_dir, self.save)

    def learning_rate_factor(self, step: int | None = None) -> float:
        """What the learning rates are multiplied by at ``step`` (default: the next step).

        1 until ``lr_decay_from``, then linearly down to 0 at ``steps`` (``loop.linear_decay``).
        """
        c = self.config
        return linear_decay(c.steps, c.lr_decay_from)(self.step if step is None else step)

    def _train_step(self, batches: Iterator[Batch]) -> dict[str, float]:
        """One D update (``d_steps`` of them) then one G update; returns the logged values."""
        factor = self.learning_rate_factor()
        for name, base in (("discriminator", self.config.lr_d), ("generator", self.config.lr_g)):
            for group in self.optimizers[name].param_groups:
                group["lr"] = base * factor
        logged: dict[str, float] = {}
        for _ in range(self.config.d_steps):
            batch = self._to_device(next(batches))
            logged.update(self._update("d", "discriminator", self.task.d_step, batch))
        logged.update(self._update("g", "generator", self.task.g_step, batch))
        if self.ema is not None:
            self.ema.update_parameters(self.nets["generator"])
        return logged

    def _update(self, phase: str, network: str, step_fn, batch: Batch) -> dict[str, float]:
        with autocast(self.precision, self.device):
            out = step_fn(self.wrapped, batch)
        names = [f"{phase}_loss" if k == "loss" else k for k in out]
        values = distributed.mean_over_ranks(
            torch.stack([v.detach().float() for v in out.values()])).tolist()
        for name, value in zip(names, values, strict=True):
            if value != value or abs(value) == float("inf"):  # NaN or infinite
                raise NonFiniteLoss(f"at step {self.step + 1}, {name} = {value}")
        optimizer, scaler = self.optimizers[network], self.scalers[network]
        optimizer.zero_grad(set_to_none=True)  # also drops D's gradients left by the G step
        scaler.scale(out["loss"]).backward()
        scaler.step(optimizer)
        scaler.update()
        return dict(zip(names, values, strict=True))

    # ----------------------------------------------------------------------- data
    def _batches(self) -> Iterator[Batch]:
        """Batches forever, epoch after epoch, starting from ``self.batches_seen``."""
        while True:
            epoch, offset = divmod(self.batches_seen, self.batches_per_epoch)
            self.sampler.set_epoch(epoch)
            self.sampler.start = offset * self.config.batch_size
            for batch in self.loader:
                self.batches_seen += 1
                yield batch

    def _to_device(self, batch: Batch) -> Batch:
        """Move a batch (a tensor, or a tuple, list or dict of them) to the device."""
        if isinstance(batch, dict):
            return {k: self._to_device(v) for k, v in batch.items()}
        if isinstance(batch, (tuple, list)):
            return type(batch)(self._to_device(b) for b in batch)
        if not isinstance(batch, torch.Tensor):
            return batch
        batch = batch.to(self.device, non_blocking=True)
        if self.config.channels_last and batch.ndim == 4:
            batch = batch.contiguous(memory_format=torch.channels_last)
        return batch

    def _wrap(self, net: nn.Module) -> nn.Module:
        if self.config.sync_batchnorm and self.dist.enabled and self.device.type == "cuda":
            net = nn.SyncBatchNorm.convert_sync_batchnorm(net)
        wrapped = distributed.wrap(net, self.device)
        return torch.compile(wrapped) if self.config.compile else wrapped

    # ----------------------------------------------------------------------- history
    def _accumulate(self, values: dict[str, float]) -> None:
        for name, value in values.items():
            self._sums[name] = self._sums.get(name, 0.0) + value
        self._count += 1

    def _log(self) -> None:
        self.rows.append({"step": self.step,
                          **{k: v / self._count for k, v in self._sums.items()}})
        self._sums, self._count = {}, 0

    @property
    def history(self) -> pd.DataFrame:
        """One row per logged step: means of the losses and D's scores since the last row."""
        return pd.DataFrame(self.rows)

    def plot(self, title: str | None = None):
        """Losses and D's scores against the step (see ``plot_gan_history``)."""
        return plot_gan_history(self.history, title=title)

    @torch.no_grad()
    def sample(self) -> torch.Tensor:
        """Images from the fixed inputs (same inputs every time, so grids show progress).

        Uses the unwrapped networks in eval mode (batch norm with running statistics), on the
        main rank only; the grid is kept in ``self.samples`` and saved as a PNG with out_dir.
        """
        if not self.dist.is_main:
            return torch.empty(0)
        nets = {**self.nets, "generator": self.result_generator}
        modes = {name: net.training for name, net in nets.items()}
        for net in nets.values():
            net.eval()
        images = self.task.preview(nets, self.fixed_inputs.to(self.device)).float().cpu()
        for name, net in nets.items():
            net.train(modes[name])
        self.samples[self.step] = images
        if self.out_dir is not None:
            save_grid(images, self.out_dir / "samples" / f"step-{self.step:06d}.png")
        return images

    @property
    def result_generator(self) -> nn.Module:
        """The generator that training produces: the moving average with ``ema_decay``."""
        return self.ema.module if self.ema is not None else self.nets["generator"]

    # ----------------------------------------------------------------------- checkpoints
    @property
    def saved_networks(self) -> dict[str, nn.Module]:
        """What a checkpoint holds: the task's networks and, with ``ema_decay``, the average."""
        return self.nets if self.ema is None else {**self.nets, "generator_ema": self.ema}

    @property
    def checkpoint_dir(self) -> Path | None:
        return self.out_dir / "checkpoints" if self.out_dir is not None else None

    def save(self) -> None:
        """Write a checkpoint (rank 0; every rank must call it, to share its random state)."""
        rngs = distributed.gather_objects(rng_state())
        for name, net in self.nets.items():  # checked on every rank, so that all ranks stop
            distributed.broadcast_buffers(net)
            if not all(torch.isfinite(t).all() for t in net.state_dict().values()
                       if t.is_floating_point()):
                raise NonFiniteLoss(f"at step {self.step}, the {name}'s weights are not finite")
        if not self.dist.is_main or self.checkpoint_dir is None:
            return
        state = {
            "step": self.step,
            "batches_seen": self.batches_seen,
            "optimizers": {n: o.state_dict() for n, o in self.optimizers.items()},
            "scalers": {n: s.state_dict() for n, s in self.scalers.items()},
            "rng": rngs,
            "history": self.rows,
            "pending": {"sums": self._sums, "count": self._count},
            "config": asdict(self.config),
        }
        meta = {**self.task.meta(), "step": self.step, "precision": self.precision}
        save_checkpoint(self.checkpoint_dir, self.step, self.saved_networks, state, meta)
        self.history.to_csv(self.out_dir / "history.csv", index=False)

    def load(self, folder: str | Path) -> None:
        """Restore everything ``save`` wrote, so that ``fit`` continues exactly."""
        weights, state, _ = load_checkpoint(Path(folder))
        try:
            load_network_weights(self.saved_networks, weights)
        except RuntimeError as err:  # missing / unexpected keys, size mismatch
            from course_lib.errors import CourseError

            first = str(err).strip().splitlines()[-1].strip()[:160]
            raise CourseError(f"the checkpoint in {folder} was made by another model ({first}); "
                              "start over with --no-resume or choose another --out") from None
        for name, optimizer in self.optimizers.items():
            optimizer.load_state_dict(state["optimizers"][name])
        for name, scaler in self.scalers.items():
            if state["scalers"][name]:
                scaler.load_state_dict(state["scalers"][name])
        rngs = state["rng"]
        set_rng_state(rngs[self.dist.rank] if self.dist.rank < len(rngs) else rngs[0])
        self.step, self.batches_seen = state["step"], state["batches_seen"]
        self.rows = list(state["history"])
        self._sums, self._count = dict(state["pending"]["sums"]), state["pending"]["count"]
