"""Every weights file the course reads or writes: shipped models and run checkpoints alike.

The shipped-model file format is fp16 safetensors weights beside a JSON sidecar.

Every model the course ships (segmenter, VQ-GAN, CLIP, super-resolution, pix2pixHD, SPADE)
is stored the same way: ``<name>.safetensors`` holds the weights, halved to fp16 because the
checkpoints live in the repository and fp16 is harmless for inference, and ``<name>.json``
holds the config that rebuilds the network plus how it was made (command, seed, date,
measured quality). Both files are written atomically, so an interrupted export never leaves
a half-written checkpoint where a loader would find it, and every read checks the
``sha256`` the sidecar records. The readers of run folders (``latest``,
``latest_network_weights``) live here too, so models load from a run without importing
``training``.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Collection
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from course_lib.errors import CourseError

CHECKPOINT_DIR = Path(__file__).resolve().parent.parent / "checkpoints"
POINTER = "latest.json"  # names the newest checkpoint of a run folder (training/checkpoint)
_PACKAGE_WRITES: set[Path] = set()  # package files that --export-to-package allowed


def package_dir() -> Path:
    """Where ``--export-to-package`` writes: the package's checkpoints folder
    (``$COURSE_PACKAGE_CHECKPOINTS`` overrides it, for tests on a copy)."""
    return Path(os.environ.get("COURSE_PACKAGE_CHECKPOINTS") or CHECKPOINT_DIR)


def export_path(name: str, out: str | Path | None, to_package: bool = False) -> Path:
    """The one rule for where a trained model is exported.

    ``to_package``: the package file ``<name>.safetensors``, after every existing
    ``<name>.*`` file there is copied to ``<name>.*.bak``. Otherwise ``out``: a
    ``.safetensors`` path, or a folder that gets ``<name>.safetensors``; it may not lie
    in the package's checkpoints folder (``guard_write``).
    """
    if to_package:
        path = package_dir() / f"{name}.safetensors"
        for old in sorted(path.parent.glob(f"{name}.*")):
            if old.suffix != ".bak" and old.is_file():
                shutil.copy2(old, old.with_name(old.name + ".bak"))
        _PACKAGE_WRITES.add(path.resolve())
        return path
    if out is None:
        raise CourseError(f"no destination for the {name} export; give --out")
    path = Path(out)
    path = path if path.suffix == ".safetensors" else path / f"{name}.safetensors"
    guard_write(path)
    return path


def guard_write(path: str | Path) -> None:
    """Refuse to write a checkpoint into the package's checkpoints folder unless
    ``export_path(..., to_package=True)`` allowed exactly that file."""
    target = Path(path).with_suffix(".safetensors").resolve()
    shipped = {CHECKPOINT_DIR.resolve(), package_dir().resolve()}
    if target.parent in shipped and target not in _PACKAGE_WRITES:
        raise CourseError(f"{path} is a shipped checkpoint of the package; export into a run "
                          "folder (--out) instead, or pass --export-to-package to replace it "
                          "(the old files are kept as <name>.*.bak)")


def jsonable(value: Any) -> Any:
    """``value`` (e.g. ``dataclasses.asdict`` of a config) with every tuple turned into a list,
    nested dicts and lists included, so it equals what a JSON sidecar reads back."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    return value


def checkpoint_path(path: str | Path | None, default_name: str) -> Path:
    """``path`` itself, or the shipped checkpoint ``default_name`` when it is None."""
    return CHECKPOINT_DIR / f"{default_name}.safetensors" if path is None else Path(path)


def save_weights(state: dict[str, torch.Tensor], path: str | Path, sidecar: dict[str, Any],
                 keep_fp32: Collection[str] = ()) -> Path:
    """Write ``state`` (floats as fp16, except the keys in ``keep_fp32``) and its sidecar."""
    path = Path(path).with_suffix(".safetensors")
    guard_write(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tensors = {}
    for key, value in state.items():
        value = value.detach().cpu()
        if value.is_floating_point():
            value = value.float() if key in keep_fp32 else value.half()
        tensors[key] = value.contiguous()
    atomic_write(path, lambda tmp: save_file(tensors, str(tmp)))
    write_sidecar(path, sidecar)
    return path


def save_model(model: torch.nn.Module, path: str | Path, meta: dict[str, Any]) -> Path:
    """``save_weights`` of a model whose ``config`` dataclass rebuilds it (kept in the sidecar)."""
    return save_weights(model.state_dict(), path, {"config": asdict(model.config), **meta})


def load_model(build: Callable[..., torch.nn.Module], config_class: type, path: str | Path | None,
               name: str, what: str, train_command: str,
               device: str | torch.device = "cpu") -> torch.nn.Module:
    """The model ``build(config_class(**sidecar config))`` with the weights at ``path`` (default:
    the shipped checkpoint ``name``), float32, in eval mode, on ``device``."""
    state, meta = load_weights(checkpoint_path(path, name), what, train_command)
    model = build(config_class(**meta["config"]))
    model.load_state_dict(state)
    return model.to(device).eval()


@dataclass(frozen=True)
class ModelFiles:
    """The weights files of one model family whose ``config`` dataclass rebuilds it.

    One object per family gives it its ``save`` / ``load`` / ``info`` (e.g. ``save_segmenter =
    FILES.save``): fp16 safetensors plus a JSON sidecar, the shipped checkpoint ``name`` by
    default, and a missing-file message that names ``train_command``.
    """

    build: Callable[..., torch.nn.Module]
    config_class: type
    name: str  # the shipped checkpoint's file name, without suffix
    what: str  # the model, as messages name it
    train_command: str  # how to make a checkpoint when there is none

    def save(self, model: torch.nn.Module, path: str | Path, meta: dict[str, Any]) -> Path:
        """Write fp16 safetensors plus a JSON sidecar (config and ``meta``), atomically."""
        return save_model(model, path, meta)

    def load(self, path: str | Path | None = None,
             device: str | torch.device = "cpu") -> torch.nn.Module:
        """The model at ``path`` (default: the shipped checkpoint) in eval mode, float32."""
        return load_model(self.build, self.config_class, path, self.name, self.what,
                          self.train_command, device)

    def info(self, path: str | Path | None = None) -> dict[str, Any]:
        """The JSON sidecar of a checkpoint (command, seed, date, measured quality)."""
        return read_sidecar(checkpoint_path(path, self.name))


def read_sidecar(path: str | Path) -> dict[str, Any]:
    """The JSON sidecar next to a ``.safetensors`` file."""
    return json.loads(Path(path).with_suffix(".json").read_text(encoding="utf-8"))


def load_weights(path: Path, what: str, train_command: str
                 ) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(float32 state dict, sidecar) of a checkpoint, or a clear error naming how to make one."""
    if not path.is_file():
        raise FileNotFoundError(f"no {what} checkpoint at {path}; train one with "
                                f"`{train_command}`")
    state = {k: v.float() if v.is_floating_point() else v for k, v in read_tensors(path).items()}
    return state, read_sidecar(path)


def _weights_fix(path: Path) -> str:
    """How to get a good copy of the weights file ``path`` back."""
    if Path(path).resolve().parent == CHECKPOINT_DIR.resolve():
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


def latest(folder: Path) -> dict[str, Any] | None:
    """The pointer to the newest checkpoint in ``folder`` (step and file names), or None."""
    path = Path(folder) / POINTER
    return json.loads(path.read_text()) if path.exists() else None


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
