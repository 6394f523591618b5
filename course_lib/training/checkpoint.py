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
replaced last, so a crash while saving leaves the previous checkpoint as the latest.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

POINTER = "latest.json"
PACKAGE_CHECKPOINTS = Path(__file__).resolve().parent.parent / "checkpoints"


def _weights_fix(path: Path) -> str:
    """How to get a good copy of the weights file ``path`` back."""
    if Path(path).resolve().parent == PACKAGE_CHECKPOINTS.resolve():
        return "restore the shipped files with `git checkout course_lib/checkpoints`"
    return "delete it and train again (or copy a good file there)"


def verify_weights(path: str | Path) -> None:
    """Check ``path`` against the ``sha256`` its JSON sidecar records (when it records one).

    The digest is cached by path, size and modification time, so a file is read once.
    """
    from course_lib.data.download import cached_sha256
    from course_lib.errors import CourseError

    path = Path(path)
    sidecar = path.with_suffix(".json")
    if not sidecar.is_file():
        return
    expected = json.loads(sidecar.read_text(encoding="utf-8")).get("sha256")
    if expected and cached_sha256(path) != expected:
        raise CourseError(f"{path} is corrupt or altered: its SHA-256 is {cached_sha256(path)}, "
                          f"its sidecar {sidecar.name} records {expected}; {_weights_fix(path)}")


def read_tensors(path: str | Path) -> dict[str, torch.Tensor]:
    """``safetensors.torch.load_file`` after ``verify_weights``; a truncated or corrupt file
    is a ``CourseError`` naming it and the fix, not a SafetensorError."""
    from safetensors import SafetensorError

    from course_lib.errors import CourseError

    verify_weights(path)
    try:
        return load_file(str(path))
    except SafetensorError as err:
        raise CourseError(f"{path} is not a readable safetensors file ({err}: truncated or "
                          f"corrupt); {_weights_fix(Path(path))}") from None


def write_sidecar(weights: Path, info: dict[str, Any], path: Path | None = None) -> Path:
    """Write ``info`` plus the ``sha256`` of ``weights`` as JSON (default ``<weights>.json``)."""
    from course_lib.data.download import sha256sum

    path = Path(path) if path is not None else Path(weights).with_suffix(".json")
    text = json.dumps({**info, "sha256": sha256sum(weights)}, indent=2, ensure_ascii=False)
    atomic_write(path, lambda tmp: tmp.write_text(text + "\n", encoding="utf-8"))
    return path


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp_path)`` and then move the result onto ``path`` in one atomic step."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        write(tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


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


def latest(folder: Path) -> dict[str, Any] | None:
    """The pointer to the newest checkpoint in ``folder`` (step and file names), or None."""
    path = Path(folder) / POINTER
    return json.loads(path.read_text()) if path.exists() else None


def load_checkpoint(folder: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any], dict]:
    """The newest checkpoint's weights, training state and meta data."""
    pointer = latest(folder)
    if pointer is None:
        raise FileNotFoundError(f"no checkpoint in {folder} (no {POINTER})")
    weights_path = Path(folder) / pointer["weights"]
    state = torch.load(Path(folder) / pointer["state"], weights_only=True)
    return read_tensors(weights_path), state, read_meta(weights_path)


def read_meta(weights_path: Path) -> dict[str, Any]:
    """The ``meta`` dict stored in a safetensors header by ``save_checkpoint``."""
    from safetensors import SafetensorError, safe_open

    from course_lib.errors import CourseError

    try:
        with safe_open(str(weights_path), framework="pt") as f:
            header = f.metadata() or {}
    except SafetensorError as err:
        raise CourseError(f"{weights_path} is not a readable safetensors file ({err}: truncated "
                          f"or corrupt); {_weights_fix(Path(weights_path))}") from None
    return json.loads(header.get("meta", "{}"))


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


def latest_network_weights(run: Path, network: str
                           ) -> tuple[dict[str, torch.Tensor], dict[str, Any]] | None:
    """(weights of one ``network``, meta) from the newest checkpoint of a run folder, or None.

    ``run`` may be the run folder or its ``checkpoints`` folder; None when neither holds one.
    """
    for folder in (Path(run), Path(run) / "checkpoints"):
        if folder.is_dir() and latest(folder):
            weights = folder / latest(folder)["weights"]
            prefix = f"{network}."
            state = {k[len(prefix):]: v for k, v in read_tensors(weights).items()
                     if k.startswith(prefix)}
            return state, read_meta(weights)
    return None
