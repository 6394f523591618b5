"""The unconditional Fashion-MNIST GANs of units 03-04: build, load, export, sample.

``build_gan`` makes a fresh (generator, discriminator) by architecture name (``mlp``: unit
03's MLP GAN, ``dcgan``: unit 04's DCGAN). ``load_generator`` rebuilds a trained generator
from a run folder of ``course train gan|lsgan``, one of its checkpoint files, an exported
file, or the name of a generator that ships with the package (``SHIPPED_GENERATORS``).

Shipped and exported generators use the course's one weights format
(``course_lib.models.weights_file``): fp16 safetensors of G's state dict beside a JSON
sidecar that records the architecture and config (to rebuild G), the command, seed, steps
and the measured FID and coverage.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch
from torch import nn

from course_lib.data.pixels import from_uint8, to_uint8
from course_lib.errors import CourseError
from course_lib.models.weights_file import (
    CHECKPOINT_DIR,
    latest_network_weights,
    read_meta,
    read_sidecar,
    read_tensors,
    save_weights,
)

SHIPPED_GENERATORS: dict[str, str] = {
    "mlp_gan": "unit 03: the MLP GAN (Goodfellow et al. 2014), non-saturating loss",
    "mlp_gan_healthy": "unit 03: the same MLP GAN and recipe, trained 10,000 steps, not 2,000",
    "lsgan_dcgan": "unit 04: the DCGAN trained with LSGAN's least-squares losses",
    "gan_dcgan": "unit 04: the same DCGAN trained with the non-saturating GAN loss",
}
PROGRESS_SAMPLES = 8  # fixed-noise samples per epoch kept in a generator's progress file


def build_gan(arch: str, **config: Any) -> tuple[nn.Module, nn.Module]:
    """A fresh (generator, discriminator): ``arch`` is ``mlp`` (unit 03) or ``dcgan`` (unit 04)."""
    if arch == "mlp":
        from course_lib.models.mlp_gan import MLPGANConfig, build_mlp_gan

        cfg = MLPGANConfig(**config)
        if isinstance(cfg.image_shape, list):  # read back from JSON
            cfg.image_shape = tuple(cfg.image_shape)
        return build_mlp_gan(cfg)
    if arch == "dcgan":
        from course_lib.models.dcgan import DCGANConfig, build_dcgan

        return build_dcgan(DCGANConfig(**config))
    raise ValueError(f"unknown GAN architecture {arch!r}; choose 'mlp' or 'dcgan'")


def _weights_and_meta(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """G's state dict and what rebuilds G, from any of the places ``generator_from_checkpoint``
    accepts; a run checkpoint file's ``generator.`` prefix is removed."""
    found = latest_network_weights(path, "generator")
    if found:
        return found
    if not path.is_file():
        raise FileNotFoundError(f"no GAN checkpoint found at {path}")
    sidecar = path.with_suffix(".json").is_file()
    state, meta = read_tensors(path), read_sidecar(path) if sidecar else read_meta(path)
    if any(k.startswith("generator.") for k in state):  # a run checkpoint file
        state = {k.removeprefix("generator."): v for k, v in state.items()
                 if k.startswith("generator.")}
    return state, meta


def _build(state: dict[str, torch.Tensor], meta: dict[str, Any]) -> nn.Module:
    generator, _ = build_gan(meta["arch"], **meta["config"])
    generator.load_state_dict({k: v.float() if v.is_floating_point() else v
                               for k, v in state.items()})
    return generator.eval()


def generator_from_checkpoint(path: str | Path) -> nn.Module:
    """The trained generator (eval mode, float32) from a run folder, its ``checkpoints``
    folder, a run checkpoint file, or an exported / shipped weights file."""
    return _build(*_weights_and_meta(Path(path)))


def shipped_generator_path(name: str) -> Path:
    """The weights file of a shipped generator (a name in ``SHIPPED_GENERATORS``)."""
    if name not in SHIPPED_GENERATORS:
        raise ValueError(f"no shipped generator called {name!r}; "
                         f"choose one of {sorted(SHIPPED_GENERATORS)}")
    return CHECKPOINT_DIR / f"{name}.safetensors"


def shipped_generator_info(name: str) -> dict[str, Any]:
    """The JSON sidecar of a shipped generator: command, seed, date, steps, FID, coverage."""
    return read_sidecar(shipped_generator_path(name))


def load_shipped_generator(name: str) -> nn.Module:
    """A generator trained by the course (float32, eval mode), by its shipped name.

    ``load_shipped_generator("lsgan_dcgan")(torch.randn(16, 100))`` gives 16 images in [-1, 1].
    """
    return generator_from_checkpoint(shipped_generator_path(name))


def load_generator(checkpoint: str | Path) -> nn.Module:
    """``generator_from_checkpoint`` for a path, ``load_shipped_generator`` for a shipped name."""
    if Path(checkpoint).exists():
        return generator_from_checkpoint(checkpoint)
    if str(checkpoint) not in SHIPPED_GENERATORS:
        raise CourseError(f"{checkpoint!r} is neither a path nor a shipped generator; give "
                          "a run folder, a .safetensors file, or one of "
                          f"{', '.join(SHIPPED_GENERATORS)}")
    return load_shipped_generator(str(checkpoint))


@torch.no_grad()
def sample(generator: nn.Module, n: int, seed: int = 0) -> torch.Tensor:
    """``n`` images in [-1, 1] from z ~ N(0, I), drawn with ``manual_seed(seed)``."""
    z = torch.randn(n, generator.config.latent_dim, generator=torch.Generator().manual_seed(seed))
    return generator(z)


def export_generator(run: str | Path, out: str | Path, info: dict[str, Any],
                     half: bool = True) -> Path:
    """Save a run's generator alone (fp16 by default) to ``out``, with ``info``, the
    architecture and the loss in its JSON sidecar."""
    weights, meta = _weights_and_meta(Path(run))
    state = _build(weights, meta).state_dict()
    sidecar = {**info, "arch": meta["arch"], "loss": meta.get("loss"), "config": meta["config"],
               "dtype": "float16" if half else "float32"}
    return save_weights(state, out, sidecar, keep_fp32=() if half else state.keys())


def progress_path(name: str) -> Path:
    """The progress file of a shipped generator: its fixed-noise samples after every epoch."""
    return shipped_generator_path(name).with_name(f"{name}.progress.safetensors")


def progress_samples(generators: list[nn.Module], seed: int = 0) -> torch.Tensor:
    """uint8 images (len(generators), PROGRESS_SAMPLES, 1, 28, 28) of the same noise (``seed``)
    through each generator: a run's pictures epoch by epoch, small enough to ship."""
    rows = [sample(g.eval(), PROGRESS_SAMPLES, seed) for g in generators]
    return to_uint8(torch.stack(rows))


def load_progress(name: str) -> tuple[list[int], torch.Tensor]:
    """(epochs, images in [-1, 1] of shape (epochs, PROGRESS_SAMPLES, 1, 28, 28)) of a shipped
    generator that has a progress file (the unit-04 DCGANs)."""
    path = progress_path(name)
    images = from_uint8(read_tensors(path)["samples"])
    return read_sidecar(path)["epochs"], images
