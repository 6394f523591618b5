"""Data-parallel training on several GPUs (or CPU processes) with ``torchrun``.

``torchrun --nproc_per_node 4 -m course_lib.cli train lsgan`` starts four copies of the same
program. Each copy (a *rank*) reads ``RANK``, ``LOCAL_RANK`` and ``WORLD_SIZE`` from the
environment, joins a process group, takes its own quarter of every epoch
(``DistributedSampler``) and wraps its networks in ``DistributedDataParallel``, which averages
the gradients over all ranks during ``backward``. Every rank therefore applies the same
update and the weights stay identical; only rank 0 prints, logs and writes checkpoints.

Without ``torchrun`` (one process), ``setup`` does nothing and the same code runs as usual.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import torch
import torch.distributed as dist
from torch import nn


@dataclass(frozen=True)
class DistInfo:
    """Where this process stands: its rank, how many ranks there are, its GPU index."""

    rank: int = 0
    world_size: int = 1
    local_rank: int = 0

    @property
    def is_main(self) -> bool:
        """Rank 0 does the printing, logging and checkpointing."""
        return self.rank == 0

    @property
    def enabled(self) -> bool:
        return self.world_size > 1


def setup(backend: str | None = None) -> DistInfo:
    """Join the process group when launched by ``torchrun`` (``WORLD_SIZE`` > 1).

    The backend is ``nccl`` when CUDA is available and ``gloo`` (CPU) otherwise.
    Calling it again, or in a single process, is harmless.
    """
    world_size = int(os.environ.get("WORLD_SIZE", "1"))
    if world_size <= 1:
        return DistInfo()
    rank, local_rank = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if not dist.is_initialized():
        backend = backend or ("nccl" if torch.cuda.is_available() else "gloo")
        if backend == "nccl":
            torch.cuda.set_device(local_rank)
        dist.init_process_group(backend=backend)
    return DistInfo(rank=rank, world_size=world_size, local_rank=local_rank)


def current() -> DistInfo:
    """The process's ``DistInfo`` if a process group is running, else a single process."""
    if not (dist.is_available() and dist.is_initialized()):
        return DistInfo()
    return DistInfo(rank=dist.get_rank(), world_size=dist.get_world_size(),
                    local_rank=int(os.environ.get("LOCAL_RANK", "0")))


def cleanup() -> None:
    """Leave the process group (call once at the end of a ``torchrun`` program)."""
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def wrap(module: nn.Module, device: torch.device) -> nn.Module:
    """``DistributedDataParallel(module)`` under ``torchrun``; the module itself otherwise."""
    if not current().enabled:
        return module
    device_ids = [device.index] if device.type == "cuda" else None
    return nn.parallel.DistributedDataParallel(module, device_ids=device_ids)


def mean_over_ranks(values: torch.Tensor) -> torch.Tensor:
    """Average a tensor over all ranks (so every rank logs and checks the same numbers)."""
    if not current().enabled:
        return values
    values = values.clone()
    dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values / dist.get_world_size()


def gather_objects(obj: object) -> list[object]:
    """Every rank's ``obj``, in rank order (used to save each rank's random state)."""
    if not current().enabled:
        return [obj]
    out: list[object] = [None] * dist.get_world_size()
    dist.all_gather_object(out, obj)
    return out


def broadcast_buffers(module: nn.Module) -> None:
    """Copy rank 0's buffers (batch-norm running statistics) to every rank.

    DDP averages gradients, so parameters stay identical, but each rank's batch norm updates
    its running statistics from its own data. DDP copies rank 0's buffers at the start of each
    forward pass; this does the same after the last one, before saving or evaluating.
    """
    if not current().enabled:
        return
    for buffer in module.buffers():
        dist.broadcast(buffer.data, src=0)
