"""The step of an unconditional GAN (units 03 and 04): noise in, image out, D judges.

``GANTask`` tells ``GANTrainer`` what one discriminator step and one generator step compute;
``build_gan_task`` makes one from names (``mlp``/``dcgan``, ``minimax``/``nonsaturating``/
``lsgan``) and ``generator_from_checkpoint`` rebuilds a trained generator from its weights.

Two trained generators ship with the package (``load_shipped_generator``): unit 03's MLP GAN
(``"mlp_gan"``) and unit 04's DCGAN trained with LSGAN (``"lsgan_dcgan"``). Each is a
safetensors file in the same format as a training checkpoint (generator weights only, fp16)
with a JSON sidecar that records the command, seed, date, steps and measured FID and coverage.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch
from torch import nn

from course_lib.losses.gan import GANLoss, gan_loss
from course_lib.models.weights_file import CHECKPOINT_DIR


def _images(batch: Any) -> torch.Tensor:
    """The images of a batch: the batch itself, or the first item of an (images, labels) pair."""
    return batch[0] if isinstance(batch, (tuple, list)) else batch


class GANTask:
    """D learns to tell real images from G's; G learns to make D call its images real."""

    def __init__(self, generator: nn.Module, discriminator: nn.Module,
                 loss: GANLoss | str = "nonsaturating", latent_dim: int | None = None,
                 meta: dict[str, Any] | None = None):
        self.networks = {"generator": generator, "discriminator": discriminator}
        self.loss = gan_loss(loss) if isinstance(loss, str) else loss
        self.latent_dim = latent_dim or generator.config.latent_dim
        self._meta = meta or {}

    def noise(self, n: int, device: torch.device | str = "cpu",
              generator: torch.Generator | None = None) -> torch.Tensor:
        """z ~ N(0, I), shape (n, latent_dim)."""
        return torch.randn(n, self.latent_dim, device=device, generator=generator)

    def d_step(self, nets: dict[str, nn.Module], batch: Any) -> dict[str, torch.Tensor]:
        """D's loss on a real batch and as many fakes; G runs without gradients here."""
        real = _images(batch)
        with torch.no_grad():
            fake = nets["generator"](self.noise(len(real), real.device))
        real_scores = nets["discriminator"](real)
        fake_scores = nets["discriminator"](fake)
        return {
            "loss": self.loss.d(real_scores, fake_scores),
            "D(x)": self.loss.score(real_scores.detach().float()).mean(),
            "D(G(z))": self.loss.score(fake_scores.detach().float()).mean(),
        }

    def g_step(self, nets: dict[str, nn.Module], batch: Any) -> dict[str, torch.Tensor]:
        """G's loss: fresh fakes go through D; the gradient reaches G through D."""
        real = _images(batch)
        fake_scores = nets["discriminator"](nets["generator"](self.noise(len(real), real.device)))
        return {"loss": self.loss.g(fake_scores)}

    def fixed_inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return self.noise(n, generator=generator)

    def preview(self, nets: dict[str, nn.Module], inputs: torch.Tensor) -> torch.Tensor:
        return nets["generator"](inputs)

    def meta(self) -> dict[str, Any]:
        return {"loss": self.loss.name, **self._meta}


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


def build_gan_task(arch: str = "dcgan", loss: str = "nonsaturating", **config: Any) -> GANTask:
    """``build_gan`` plus the loss, with the architecture recorded for checkpoints."""
    generator, discriminator = build_gan(arch, **config)
    meta = {"arch": arch, "config": _jsonable(asdict(generator.config))}
    return GANTask(generator, discriminator, loss, meta=meta)


def generator_from_checkpoint(path: str | Path) -> nn.Module:
    """The trained generator (eval mode) from a run folder, checkpoints folder or weights file."""
    from course_lib.models.weights_file import latest, read_meta, read_tensors

    path = Path(path)
    for folder in (path, path / "checkpoints"):
        if folder.is_dir() and latest(folder):
            path = folder / latest(folder)["weights"]
            break
    if not path.is_file():
        raise FileNotFoundError(f"no GAN checkpoint found at {path}")
    meta = read_meta(path)
    generator, _ = build_gan(meta["arch"], **meta["config"])
    prefix = "generator."
    generator.load_state_dict({k[len(prefix):]: v for k, v in read_tensors(path).items()
                               if k.startswith(prefix)})
    return generator.eval()


SHIPPED_GENERATORS: dict[str, str] = {
    "mlp_gan": "unit 03: the MLP GAN (Goodfellow et al. 2014), non-saturating loss",
    "lsgan_dcgan": "unit 04: the DCGAN trained with LSGAN's least-squares losses",
}


def shipped_generator_path(name: str) -> Path:
    """The weights file of a shipped generator (``mlp_gan`` or ``lsgan_dcgan``)."""
    if name not in SHIPPED_GENERATORS:
        raise ValueError(f"no shipped generator called {name!r}; "
                         f"choose one of {sorted(SHIPPED_GENERATORS)}")
    return CHECKPOINT_DIR / f"{name}.safetensors"


def shipped_generator_info(name: str) -> dict[str, Any]:
    """The JSON sidecar of a shipped generator: command, seed, date, steps, FID, coverage."""
    return json.loads(shipped_generator_path(name).with_suffix(".json").read_text())


def load_shipped_generator(name: str) -> nn.Module:
    """A generator trained by the course (float32, eval mode): ``mlp_gan`` or ``lsgan_dcgan``.

    ``load_shipped_generator("lsgan_dcgan")(torch.randn(16, 100))`` gives 16 images in [-1, 1].
    """
    return generator_from_checkpoint(shipped_generator_path(name))


@torch.no_grad()
def score_generator(generator: nn.Module, n: int = 2000, seed: int = 1234) -> dict[str, float]:
    """FashionCNN FID and class coverage of ``n`` samples (units 03-04's quality figures).

    The samples come from ``n`` noise vectors drawn with ``seed``; FID compares them with the
    first ``n`` Fashion-MNIST test images (equal set sizes, so FID's small-sample bias is the
    same for every generator scored this way). Returns ``fid``, ``covered`` (classes out of
    10 with >= 2% of the samples), ``kl_to_uniform`` (nats), ``confident`` (the share of
    samples FashionCNN gives a probability of at least 0.9) and ``n``.
    """
    from course_lib.data.fashion_mnist import load_fashion_mnist
    from course_lib.metrics import fashion_fid
    from course_lib.metrics.coverage import coverage_from_predictions
    from course_lib.metrics.fashion_features import fashion_probabilities

    z = torch.randn(n, generator.config.latent_dim, generator=torch.Generator().manual_seed(seed))
    was_training = generator.training
    samples = generator.eval()(z)
    generator.train(was_training)
    (_, _), (x_test, _) = load_fashion_mnist()
    probabilities = fashion_probabilities(samples, value_range="symmetric")
    coverage = coverage_from_predictions(probabilities.argmax(axis=1))
    return {"fid": fashion_fid(samples, x_test[:n], value_range="symmetric"),
            "covered": coverage.covered, "kl_to_uniform": coverage.kl_to_uniform,
            "confident": float((probabilities.max(axis=1) >= 0.9).mean()), "n": n}


def export_generator(run: str | Path, out: str | Path, info: dict[str, Any],
                     half: bool = True) -> Path:
    """Save a run's generator alone (fp16 by default) to ``out`` with ``info`` as JSON sidecar.

    The file keeps the training checkpoint's format (``generator.*`` tensors, the architecture
    in the header), so ``generator_from_checkpoint`` and ``course sample`` read it as they are.
    """
    from safetensors.torch import save_file

    from course_lib.models.weights_file import atomic_write, guard_write, read_meta, write_sidecar

    guard_write(out)
    generator = generator_from_checkpoint(run)
    source = Path(run)
    for folder in (source, source / "checkpoints"):
        if folder.is_dir() and (folder / "latest.json").exists():
            source = folder / json.loads((folder / "latest.json").read_text())["weights"]
            break
    meta = read_meta(source)
    weights = {f"generator.{k}": (v.half() if half and v.is_floating_point() else v)
               .detach().cpu().contiguous() for k, v in generator.state_dict().items()}
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    header = {"step": str(meta.get("step", "")), "meta": json.dumps(meta)}
    atomic_write(out, lambda tmp: save_file(weights, str(tmp), metadata=header))
    sidecar = {**info, "arch": meta["arch"], "loss": meta.get("loss"), "config": meta["config"],
               "dtype": "float16" if half else "float32"}
    write_sidecar(out, sidecar)
    return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value
