"""Train the Landscapes VQ-GAN with the shared ``GANTrainer`` (``course train vqgan``).

``VQGANTask`` says what one step computes; the trainer does the rest (device, precision,
DDP, checkpoints with exact resume, NaN guard, history). The generator is the whole VQ-GAN
(encoder, quantiser, decoder); its loss is

    L = |x - x_hat|_1 + w_p * perceptual(x, x_hat) + codebook/commitment
        + [step >= disc_start] * lambda * w_d * hinge_G(D(x_hat))

with lambda the adaptive weight (``losses.adaptive_weight``). Before ``disc_start`` the
discriminator is not trained at all (a warm-up: a GAN that judges blurry early
reconstructions only learns to say "blurry"). The trainer runs D's step before G's on each
batch; to avoid a second forward pass through the VQ-GAN, D judges the reconstruction that the
previous G step made (taming-transformers makes the same pair, D's update after G's).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.utils.data import Dataset

from course_lib.data.pixels import from_uint8
from course_lib.metrics.reconstruction import codebook_usage, psnr
from course_lib.models.vqgan import (
    VQGAN,
    PatchDiscriminator,
    SegmenterPerceptual,
    VQGANConfig,
    adaptive_weight,
    hinge_d_loss,
    hinge_g_loss,
)
from course_lib.training.loop import SupervisedRun, to_tensor


@dataclass
class VQGANLossConfig:
    """Loss weights; taming-transformers' defaults except ``disc_start`` (course-sized)."""

    perceptual_weight: float = 1.0
    disc_weight: float = 0.8
    disc_start: int = 30_000  # generator steps before the GAN term and D's training start
    perceptual_images: int = 0  # score the perceptual loss on this many images (0: all)


@dataclass
class VQGANTrainConfig:
    """Training settings; ``None`` sizes come from the profile (``filled``)."""

    steps: int | None = None  # full 2,400, fast 20
    batch_size: int = 16
    lr: float = 2e-3  # Adam, generator and discriminator
    n_train: int | None = None  # training renders: full 20,000, fast 500
    n_test: int | None = None  # test renders scored: full 1,000, fast 100
    size: int = 64
    seed: int = 0
    disc_start: float | None = 0.6  # share of the steps before the GAN term (None: the loss's)
    lr_decay_from: float | None = None  # share of the steps after which both rates fall to 0
    device: str | None = None
    threads: int | None = None

    def filled(self) -> VQGANTrainConfig:
        """This config with the profile's sizes in place of ``None``."""
        from course_lib.config import fill_from_profile

        return fill_from_profile(self, steps=(2400, 20), n_train=(20_000, 500),
                                 n_test=(1_000, 100))


@dataclass
class DecoderFinetuneConfig:
    """Settings of ``finetune_decoder``; ``None`` sizes come from the profile (``filled``)."""

    steps: int | None = None  # full 2,400, fast 20
    batch_size: int = 16
    lr: float = 2e-3  # the training rate; the shipped decoder was fine-tuned at it
    n_train: int | None = None  # full 20,000, fast 500
    n_test: int | None = None  # full 1,000, fast 100
    size: int = 64
    seed: int = 0
    perceptual_weight: float = 1.0
    threads: int | None = None

    def filled(self) -> DecoderFinetuneConfig:
        """This config with the profile's sizes in place of ``None``."""
        from course_lib.config import fill_from_profile

        return fill_from_profile(self, steps=(2400, 20), n_train=(20_000, 500),
                                 n_test=(1_000, 100))


class ImageArray(Dataset):
    """uint8 images (N, H, W, 3), e.g. a memory-mapped Landscapes split, as [-1, 1] tensors."""

    def __init__(self, images: np.ndarray) -> None:
        self.images = images

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> torch.Tensor:
        x = torch.from_numpy(np.array(self.images[index], dtype=np.uint8))
        return from_uint8(x, channels_last=True)


class VQGANTask:
    """The VQ-GAN step for ``GANTrainer``: networks ``generator`` (VQ-GAN), ``discriminator``."""

    def __init__(self, model: VQGAN, discriminator: nn.Module, perceptual: nn.Module,
                 loss: VQGANLossConfig, preview_images: torch.Tensor,
                 meta: dict[str, Any] | None = None) -> None:
        self.networks = {"generator": model, "discriminator": discriminator}
        self.perceptual, self.loss = perceptual, loss
        self.preview_images, self._meta = preview_images, meta or {}
        self.g_steps = 0
        self._last: tuple[torch.Tensor, torch.Tensor] | None = None

    def d_step(self, nets: dict[str, nn.Module], batch: torch.Tensor) -> dict[str, torch.Tensor]:
        disc = nets["discriminator"]
        if self.g_steps < self.loss.disc_start or self._last is None:
            # No D update yet: a zero loss that still touches D's parameters.
            zero = sum(p.sum() for p in disc.parameters()) * 0.0
            return {"loss": zero, "d_real": zero.detach(), "d_fake": zero.detach()}
        real, fake = self._last
        real_scores, fake_scores = disc(real), disc(fake)
        return {"loss": hinge_d_loss(real_scores, fake_scores),
                "d_real": real_scores.detach().mean(), "d_fake": fake_scores.detach().mean()}

    def g_step(self, nets: dict[str, nn.Module], batch: torch.Tensor) -> dict[str, torch.Tensor]:
        real = batch
        recon, quant = nets["generator"](real)
        l1 = (real - recon).abs().mean()
        k = self.loss.perceptual_images or len(real)
        perceptual = self.perceptual(recon[:k], real[:k])
        rec_loss = l1 + self.loss.perceptual_weight * perceptual
        loss = rec_loss + quant.loss
        out = {"l1": l1.detach(), "perceptual": perceptual.detach(),
               "commitment": quant.commitment, "perplexity": quant.perplexity,
               "psnr": psnr(recon.detach(), real).mean()}
        if self.g_steps >= self.loss.disc_start:
            g_loss = hinge_g_loss(nets["discriminator"](recon))
            weight = adaptive_weight(rec_loss, g_loss, self.networks["generator"].last_layer)
            loss = loss + self.loss.disc_weight * weight * g_loss
            out.update(g_gan=g_loss.detach(), adaptive_weight=weight)
        self._last = (real.detach(), recon.detach())
        self.g_steps += 1
        return {"loss": loss, **out}

    def fixed_inputs(self, n: int, generator: torch.Generator) -> torch.Tensor:
        return self.preview_images[:n]

    def preview(self, nets: dict[str, nn.Module], inputs: torch.Tensor) -> torch.Tensor:
        """Originals in the top half of the grid, their reconstructions below."""
        return torch.cat([inputs, nets["generator"](inputs)[0].clamp(-1, 1)])

    def meta(self) -> dict[str, Any]:
        return {"loss": asdict(self.loss), **self._meta}


@torch.no_grad()
def evaluate_vqgan(model: VQGAN, images: torch.Tensor, batch_size: int = 100) -> dict[str, Any]:
    """Mean PSNR (dB) of the reconstructions and codebook usage over ``images`` in [-1, 1]."""
    was_training = model.training
    model.eval()
    scores, tokens = [], []
    for i in range(0, len(images), batch_size):
        x = images[i:i + batch_size]
        recon, quant = model(x)
        scores.append(psnr(recon.clamp(-1, 1), x))
        tokens.append(quant.indices)
    model.train(was_training)
    usage = codebook_usage(torch.cat(tokens), model.config.n_codes)
    scores = torch.cat(scores)
    return {"psnr": round(float(scores.mean()), 3), "sd_psnr": round(float(scores.std()), 3),
            "n": len(images),
            **{k: round(v, 4) if isinstance(v, float) else v for k, v in usage.items()}}


def train_vqgan(config: VQGANTrainConfig | None = None, loss: VQGANLossConfig | None = None,
                model_config: VQGANConfig | None = None, run: str | Path = "runs/vqgan",
                export: str | Path | None = None, command: str = "",
                resume: bool = True) -> dict[str, Any]:
    """Train on ``n_train`` Landscapes renders, measure on ``n_test`` test renders, export.

    Checkpoints for resuming go to the ``run`` folder; the exported fp16 model goes to
    ``export`` (default: the package's ``course_lib/checkpoints/landscapes_vqgan.safetensors``,
    which only ``--export-to-package`` may replace), and its quality is measured again after
    the fp16 round trip. ``config.disc_start`` (a share of the steps) sets ``loss.disc_start``.
    """
    from course_lib.config import seed_everything
    from course_lib.data.landscapes.dataset import cached_split
    from course_lib.models.vqgan.model import (
        CHECKPOINT_NAME,
        load_vqgan,
        save_vqgan,
    )
    from course_lib.models.weights_file import checkpoint_path, guard_write
    from course_lib.training.gan_trainer import GANTrainer, TrainConfig

    cfg = (config or VQGANTrainConfig()).filled()
    steps, batch_size, lr, n_train, n_test, size, seed = (
        cfg.steps, cfg.batch_size, cfg.lr, cfg.n_train, cfg.n_test, cfg.size, cfg.seed)
    path = checkpoint_path(export, CHECKPOINT_NAME)
    guard_write(path)  # refuse a shipped file before training, not after
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(seed)
    loss = loss or VQGANLossConfig(perceptual_images=8)
    if cfg.disc_start is not None:
        loss = replace(loss, disc_start=int(cfg.disc_start * steps))
    config = model_config or VQGANConfig.course()
    train_images, _ = cached_split("train", size, n_train)
    test = to_tensor(cached_split("test", size, n_test)[0])
    model = VQGAN(config)
    task = VQGANTask(model, PatchDiscriminator(32, 3), SegmenterPerceptual(), loss,
                     to_tensor(cached_split("val", size, 8)[0]),
                     meta={"config": asdict(config)})
    train_config = TrainConfig(steps=steps, batch_size=batch_size, lr_g=lr, lr_d=lr,
                               betas=(0.5, 0.9), log_every=25, sample_every=max(steps // 10, 1),
                               checkpoint_every=max(steps // 10, 1), n_samples=8, seed=seed,
                               device=cfg.device, precision="fp32",
                               lr_decay_from=None if cfg.lr_decay_from is None
                               else int(cfg.lr_decay_from * steps))
    start = time.time()
    trainer = GANTrainer(task, ImageArray(train_images), train_config, run, resume=resume)
    task.g_steps = trainer.step
    trainer.fit()
    seconds = time.time() - start
    model = trainer.nets["generator"].cpu()
    report = {"fp32": evaluate_vqgan(model, test)}
    meta = {"command": command, "seed": seed, "date": time.strftime("%Y-%m-%d", time.gmtime()),
            "train": {"steps": steps, "batch_size": batch_size, "lr": lr,
                      "lr_decay_from": cfg.lr_decay_from, "n_train": n_train,
                      "size": size, "loss": asdict(loss), "threads": torch.get_num_threads()},
            "train_seconds": round(seconds, 1), "stopped": trainer.stopped,
            "history_tail": trainer.history.tail(4).round(4).to_dict("records")}
    save_vqgan(model, path, {**meta, "quality": report["fp32"]})
    report["fp16"] = evaluate_vqgan(load_vqgan(path), test)
    save_vqgan(model, path, {**meta, "quality": {"split": "test", **report["fp16"]},
                             "quality_fp32": report["fp32"]})
    return {**meta, "quality": report["fp16"], "quality_fp32": report["fp32"],
            "checkpoint": str(path)}


def finetune_decoder(config: DecoderFinetuneConfig | None = None,
                     checkpoint: str | Path | None = None, export: str | Path | None = None,
                     command: str = "", run: str | Path | None = None) -> dict[str, Any]:
    """Retrain only the decoder (and ``post_quant_conv``) of a VQ-GAN with L1 + perceptual.

    The encoder and codebook stay frozen, so every image keeps its tokens and a transformer
    trained on them stays valid; only the pictures drawn from tokens change. Useful to remove
    artefacts of a short adversarial phase. Starts from ``checkpoint`` (default: the shipped
    one) and writes to ``export`` (default: back to ``checkpoint``) with the history of both
    stages in the sidecar. With a ``run`` folder, Ctrl-C saves the loop there and the same
    call resumes it (``training.loop.SupervisedRun``).
    """
    from course_lib.config import seed_everything
    from course_lib.data.landscapes.dataset import cached_split
    from course_lib.models.vqgan.model import (
        CHECKPOINT_NAME,
        checkpoint_info,
        load_vqgan,
        save_vqgan,
    )
    from course_lib.models.weights_file import checkpoint_path

    cfg = (config or DecoderFinetuneConfig()).filled()
    steps, batch_size, lr, n_train, n_test, size, seed, perceptual_weight = (
        cfg.steps, cfg.batch_size, cfg.lr, cfg.n_train, cfg.n_test, cfg.size, cfg.seed,
        cfg.perceptual_weight)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    seed_everything(seed)
    path = checkpoint_path(checkpoint, CHECKPOINT_NAME)
    previous = checkpoint_info(path)
    model = load_vqgan(path)
    model.requires_grad_(False).eval()
    trainable = [*model.post_quant_conv.parameters(), *model.decoder.parameters()]
    for p in trainable:
        p.requires_grad_(True)
    perceptual = SegmenterPerceptual()
    optimizer = torch.optim.Adam(trainable, lr, betas=(0.5, 0.9))
    train_images, _ = cached_split("train", size, n_train)
    test = to_tensor(cached_split("test", size, n_test)[0])
    gen = torch.Generator().manual_seed(seed)
    loop = SupervisedRun(run, steps, model, optimizer, generator=gen,
                         state={"sums": [0.0, 0.0]}, settings={**asdict(cfg), "start": str(path)},
                         desc="decoder", progress=False)
    start = time.time()
    for step in loop.steps():
        index = torch.randint(n_train, (batch_size,), generator=gen).sort().values
        real = to_tensor(train_images[index.numpy()])
        with torch.no_grad():
            z_q = model.encode(real).z_q
        model.decoder.train()
        recon = model.decode(z_q)
        l1 = (real - recon).abs().mean()
        loss = l1 + perceptual_weight * perceptual(recon[:8], real[:8])
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        sums = loop.state["sums"]
        loop.state["sums"] = [sums[0] + l1.item(),
                              sums[1] + psnr(recon.detach(), real).mean().item()]
        if (step + 1) % 50 == 0:
            sums = loop.state["sums"]
            loop.history.append({"step": step + 1, "l1": round(sums[0] / 50, 4),
                                 "psnr": round(sums[1] / 50, 3)})
            loop.state["sums"] = [0.0, 0.0]
            print(loop.history[-1], flush=True)
    history = loop.history
    seconds = time.time() - start
    model.eval()
    stage = {"command": command, "steps": steps, "batch_size": batch_size, "lr": lr,
             "perceptual_weight": perceptual_weight, "seed": seed,
             "train_seconds": round(seconds, 1), "history_tail": history[-4:]}
    meta = {k: v for k, v in previous.items() if k not in ("config", "quality")}
    meta["quality_before_decoder_finetune"] = previous["quality"]
    meta["decoder_finetune"] = stage
    path = Path(export) if export else path
    save_vqgan(model, path, {**meta, "quality": {}})
    quality = evaluate_vqgan(load_vqgan(path), test)
    save_vqgan(model, path, {**meta, "quality": {"split": "test", **quality}})
    return {**meta, "quality": quality, "checkpoint": str(path)}
