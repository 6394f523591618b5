"""Checkpoints that survive a crash and resume a run exactly.

A checkpoint is two files plus a pointer, in one folder:

- ``step-000500.safetensors``: the weights and buffers of every network, as
  ``"<network>.<parameter name>"`` tensors. Safetensors holds only tensors, so loading one can
  never run code (unlike an arbitrary pickle).
- ``step-000500.state.pt``: everything else needed to continue exactly where training stopped
  (optimizer moments, grad-scaler factor, random number generator states, data position, the
  history). It holds only tensors, numbers, strings, lists and dicts, so it loads with
  ``torch.load(path, weights_only=True)``, which refuses anything else.
- ``latest.json``: the name of the newest complete checkpoint.

Every file is written to a temporary name first and then renamed with ``os.replace``, which
is atomic: a reader sees the old file or the new one, never half of one. ``latest.json`` is
replaced last, so a crash while saving leaves the previous checkpoint as the latest. Reading a
run folder (``latest``, ``read_tensors``) is ``course_lib.models.weights_file``'s job.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn

from course_lib.models.weights_file import POINTER, atomic_write, latest, read_meta, read_tensors


def network_weights(networks: dict[str, nn.Module]) -> dict[str, torch.Tensor]:
    """All networks' state dicts in one flat dict, ready for safetensors (contiguous CPU copies)."""
    return {f"{name}.{key}": value.detach().cpu().contiguous()
            for name, net in networks.items() for key, value in net.state_dict().items()}


def load_network_weights(networks: dict[str, nn.Module], weights: dict[str, torch.Tensor]) -> None:
    """Copy the weights saved by ``network_weights`` back into the networks (strictly)."""
    for name, net in networks.items():
        prefix = f"{name}."
        net.load_state_dict({k[len(prefix):]: v for k, v in weights.items()
                             if k.startswith(prefix)})


def save_checkpoint(folder: Path, step: int, networks: dict[str, nn.Module],
                    state: dict[str, Any], meta: dict[str, Any] | None = None,
                    keep: int = 2) -> Path:
    """Write the checkpoint of ``step`` and point ``latest.json`` at it; keep the newest ``keep``.

    ``meta`` (JSON-serialisable: model config, loss name, ...) goes into the safetensors
    header, so ``course sample`` can rebuild the generator from the weights file alone.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"step-{step:06d}"
    header = {"step": str(step), "meta": json.dumps(meta or {})}
    atomic_write(folder / f"{stem}.safetensors",
                 lambda tmp: save_file(network_weights(networks), str(tmp), metadata=header))
    atomic_write(folder / f"{stem}.state.pt", lambda tmp: torch.save(state, tmp))
    pointer = {"step": step, "weights": f"{stem}.safetensors", "state": f"{stem}.state.pt"}
    atomic_write(folder / POINTER, lambda tmp: tmp.write_text(json.dumps(pointer, indent=1)))
    old = sorted(folder.glob("step-*.safetensors"))[:-keep] if keep > 0 else []
    for weights_file in old:
        weights_file.unlink(missing_ok=True)
        weights_file.with_name(weights_file.name.replace(".safetensors", ".state.pt")).unlink(
            missing_ok=True)
    return folder / pointer["weights"]


def load_checkpoint(folder: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any], dict]:
    """The newest checkpoint's weights, training state and meta data."""
    pointer = latest(folder)
    if pointer is None:
        raise FileNotFoundError(f"no checkpoint in {folder} (no {POINTER})")
    weights_path = Path(folder) / pointer["weights"]
    state = torch.load(Path(folder) / pointer["state"], weights_only=True)
    return read_tensors(weights_path), state, read_meta(weights_path)


def rng_state() -> dict[str, Any]:
    """The state of every random generator a training step may draw from."""
    kind, keys, pos, has_gauss, cached = np.random.get_state()
    state: dict[str, Any] = {
        "python": random.getstate(),
        "numpy": {"kind": kind, "keys": torch.from_numpy(keys.astype(np.int64)), "pos": pos,
                  "has_gauss": has_gauss, "cached_gaussian": cached},
        "torch": torch.get_rng_state(),
    }
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def set_rng_state(state: dict[str, Any]) -> None:
    """Restore the generators saved by ``rng_state``."""
    version, internal, gauss = state["python"]
    random.setstate((version, tuple(internal), gauss))
    n = state["numpy"]
    np.random.set_state((n["kind"], n["keys"].numpy().astype(np.uint32), n["pos"],
                         n["has_gauss"], n["cached_gaussian"]))
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


