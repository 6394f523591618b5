"""Mixed precision: which number format the forward pass uses, and the grad scaler fp16 needs.

- ``fp32``: plain float32 everywhere (the default on CPU and Apple's mps).
- ``bf16``: matmuls and convolutions run in bfloat16 under ``torch.autocast``. bfloat16 keeps
  float32's exponent range, so gradients cannot underflow and no scaler is needed.
- ``fp16``: float16 under autocast. Its range is small: tiny gradients round to zero, so the
  loss is multiplied by a large factor before ``backward`` and the gradients divided by it
  before the optimizer step; ``torch.amp.GradScaler`` does this and adapts the factor,
  skipping a step whose gradients overflowed.
- ``auto``: bf16 on a CUDA GPU that supports it (Ampere and newer), fp16 on older GPUs such
  as Colab's T4, fp32 elsewhere.

Weights and optimizer state stay in float32 in every mode; only the activations change.
"""

from __future__ import annotations

import contextlib
from typing import Literal

import torch

Precision = Literal["auto", "fp32", "bf16", "fp16"]
_DTYPES = {"bf16": torch.bfloat16, "fp16": torch.float16}


def resolve_precision(precision: str, device: torch.device) -> str:
    """Turn ``auto`` into a concrete choice for ``device``; check the others."""
    if precision not in ("auto", "fp32", "bf16", "fp16"):
        raise ValueError(f"precision must be auto, fp32, bf16 or fp16, not {precision!r}")
    if precision != "auto":
        return precision
    if device.type == "cuda":
        return "bf16" if torch.cuda.is_bf16_supported() else "fp16"
    return "fp32"


def autocast(precision: str, device: torch.device) -> contextlib.AbstractContextManager:
    """The context to run forward passes in: ``torch.autocast`` or nothing for fp32."""
    if precision == "fp32":
        return contextlib.nullcontext()
    return torch.autocast(device_type=device.type, dtype=_DTYPES[precision])


def make_scaler(precision: str, device: torch.device) -> torch.amp.GradScaler:
    """A gradient scaler, active only for fp16 (for the other modes it passes values through)."""
    return torch.amp.GradScaler(device.type, enabled=precision == "fp16")
