"""``course train gan|lsgan|pix2pixhd|spade`` and ``course sample``: the adversarial models."""

from __future__ import annotations

import argparse

from course_lib.cli.args import (
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)
from course_lib.cli.common import (
    _run_export,
    add_export_flags,
    command_line,
    subcommand,
    train_models,
)


def _train_gan(args: argparse.Namespace) -> int:
    from course_lib.training import distributed
    from course_lib.training.gan_run import train_fashion_gan
    from course_lib.training.gan_trainer import TrainConfig

    config = TrainConfig(
        steps=args.steps,
        batch_size=args.batch_size, lr_g=args.lr, lr_d=args.lr, precision=args.precision,
        channels_last=args.channels_last, compile=args.compile, seed=args.seed,
        sample_every=args.sample_every, checkpoint_every=args.checkpoint_every,
        log_every=min(50, args.steps or 50), num_workers=args.num_workers, device=args.device)
    out = args.out or f"runs/{args.model}"
    trainer = train_fashion_gan(args.arch, args.loss, out, config, limit=args.limit,
                                resume=not args.no_resume)
    if trainer.dist.is_main:
        last = trainer.history.iloc[-1].to_dict() if len(trainer.history) else {}
        print(f"{args.model} ({args.arch}, {args.loss} loss, {trainer.precision}): "
              f"{trainer.step} steps; last row {last}; checkpoints in {out}/checkpoints")
    distributed.cleanup()
    return 1 if trainer.stopped else 0


def _sample(args: argparse.Namespace) -> int:
    """draw images from a trained generator into a PNG grid

    Load a generator from a run folder (or its weights file) and save samples.
    """
    from course_lib.training.gan_run import sample_grid

    path = sample_grid(args.checkpoint, args.out, n=args.n, seed=args.seed)
    print(f"wrote {args.n} samples to {path}")
    return 0


def add_gan_commands(commands: argparse._SubParsersAction) -> None:
    """``course train gan|lsgan`` (units 03-04) and ``course sample``."""
    # Each loss with its paper's Adam rate: 2e-4 (DCGAN), 1e-3 (the official LSGAN code).
    for name, arch, loss, lr, about in (
            ("gan", "mlp", "nonsaturating", 2e-4,
             "unit 03: the MLP GAN of Goodfellow et al. 2014"),
            ("lsgan", "dcgan", "lsgan", 1e-3, "unit 04: a DCGAN trained with LSGAN's losses")):
        parser = subcommand(train_models(commands), name, _train_gan,
                            f"course train {name} --steps 5000 --out runs/{name}", about,
                            f"Train {about} on Fashion-MNIST. Runs under torchrun for several "
                            "GPUs; running it again with the same --out resumes.")
        parser.add_argument("--arch", choices=["mlp", "dcgan"], default=arch,
                            help=f"network architecture (default {arch})")
        parser.add_argument("--loss", choices=["minimax", "nonsaturating", "lsgan"],
                            default=loss, help=f"adversarial loss (default {loss})")
        parser.add_argument("--steps", type=positive_int, default=None,
                            help="training steps (default 10000; 200 with COURSE_PROFILE=fast)")
        parser.add_argument("--batch-size", type=positive_int, default=64, help="per process")
        parser.add_argument("--lr", type=positive_float, default=lr,
                            help=f"Adam learning rate, G and D (default {lr:g})")
        parser.add_argument("--precision", choices=["auto", "fp32", "bf16", "fp16"],
                            default="auto", help="auto: bf16/fp16 on CUDA, fp32 elsewhere")
        parser.add_argument("--channels-last", action="store_true")
        parser.add_argument("--compile", action="store_true", help="torch.compile the networks")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--limit", type=positive_int, default=None,
                            help="use the first N images (default: all)")
        parser.add_argument("--sample-every", type=positive_int, default=500)
        parser.add_argument("--checkpoint-every", type=positive_int, default=1000)
        parser.add_argument("--num-workers", type=non_negative_int, default=0)
        parser.add_argument("--device", default=None, help="cuda, mps or cpu (default: best)")
        parser.add_argument("--out", default=None, help=f"run folder (default runs/{name})")
        parser.add_argument("--no-resume", action="store_true",
                            help="start over even if --out holds a checkpoint")
    sample = subcommand(commands, "sample", _sample, "course sample runs/lsgan --n 64 --out "
                        "lsgan.png; course sample lsgan_dcgan --out shipped.png")
    sample.add_argument("checkpoint", help="run folder, its checkpoints/ folder, .safetensors, "
                        "or a shipped generator: mlp_gan (unit 03), lsgan_dcgan or gan_dcgan "
                        "(unit 04)")
    sample.add_argument("--n", type=positive_int, default=64, help="images in the grid")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--out", default="samples.png")


def _train_pix2pixhd(args: argparse.Namespace) -> int:
    """pix2pixHD on 64 px Landscapes maps -> photos (unit 05)

    Train the course-sized pix2pixHD (global generator + feature encoder, three PatchGAN
    discriminators, LSGAN + feature matching + L1) at 64 px, batch 4, on the first 4000
    training scenes: 8000 steps, the learning rate decaying linearly to 0 over the last 4000
    (--shared-protocol: the 2000 constant-rate steps that units 05-06 compare at; the shipped
    model: --perceptual-weight 10 --steps 12000 --lr-decay-from 6000 --four-d-passes). Every
    500 (250) steps the segmenter's mIoU on generated images for 200 test maps is recorded
    (metrics.csv); at the end mIoU and landscape FID on the first 500 test maps (result.json).
    Running it again with the same --out resumes.
    """
    from dataclasses import replace

    import torch

    from course_lib.models.pix2pixhd import Pix2PixHDConfig
    from course_lib.training.pix2pixhd_run import export_pix2pixhd_run, train_pix2pixhd
    from course_lib.training.translation_run import PROTOCOL, RECIPE

    if args.threads:
        torch.set_num_threads(args.threads)
    protocol = (PROTOCOL if args.shared_protocol else RECIPE).for_profile(
        args.steps, args.n_train, args.eval_every, args.lr_decay_from)
    config = replace(Pix2PixHDConfig.course(), lambda_l1=args.l1_weight,
                     lambda_perceptual=args.perceptual_weight)
    export = _run_export(args, "pix2pixhd_landscapes64")
    _, metrics, result = train_pix2pixhd(args.out, config, protocol, seed=args.seed,
                                         reuse_real_features=not args.four_d_passes,
                                         ttur=args.ttur)
    _report("pix2pixHD", args, metrics, result)
    if export:
        path = export_pix2pixhd_run(args.out, config, result, metrics, command_line(), export)
        print(f"exported the generator to {path}")
    return 0


def _report(name: str, args: argparse.Namespace, metrics, result: dict) -> None:
    """The mIoU history and the final figures of a translation run."""
    print(metrics.to_string(index=False))
    print(f"{name} seed {args.seed}: test mIoU {result['miou']:.4f}, pixel accuracy "
          f"{result['pixel_accuracy']:.4f}, landscape FID {result['fid']:.2f} after "
          f"{result['step']} steps ({result['train_seconds']:.0f} s); run folder {args.out}")


def add_train_pix2pixhd(commands: argparse._SubParsersAction) -> None:
    """``course train pix2pixhd``: unit 05's label-map-to-photo GAN on Landscapes."""
    parser = subcommand(train_models(commands), "pix2pixhd", _train_pix2pixhd,
                        "course train pix2pixhd --seed 0 --threads 1 --out runs/p2p-s0 --export")
    _add_protocol_flags(parser, steps="8000, or 2000 with --shared-protocol",
                        decay="4000; none with --shared-protocol or COURSE_PROFILE=fast",
                        every="500; 250 with --shared-protocol")
    parser.add_argument("--shared-protocol", action="store_true",
                        help="train under the protocol shared with SPADE (2000 steps, "
                        "constant learning rate, mIoU every 250 steps)")
    parser.add_argument("--four-d-passes", action="store_true",
                        help="G's feature-matching target from D after its update (one more D "
                        "pass per step): the recipe the shipped checkpoint was trained with "
                        "(default: from D's step, three passes, as the official code)")
    parser.add_argument("--ttur", action="store_true",
                        help="train with SPADE's optimiser (unit 06: Adam betas (0, 0.999), "
                        "G 1e-4, D 4e-4) instead of Adam 2e-4 for both, betas (0.5, 0.999)")
    parser.add_argument("--l1-weight", type=non_negative_float, default=50.0,
                        help="weight of the L1 term towards the real photo (default 50)")
    _add_run_flags(parser, "pix2pixhd", "G")


def _add_protocol_flags(parser: argparse.ArgumentParser, steps: str, decay: str,
                        every: str) -> None:
    """The flags of a translation protocol, with each default said in the help."""
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=positive_int, default=None,
                        help=f"training steps (default {steps}; 20 with COURSE_PROFILE=fast)")
    parser.add_argument("--n-train", type=positive_int, default=None,
                        help="training scenes (default 4000)")
    parser.add_argument("--lr-decay-from", type=non_negative_int, default=None, metavar="STEP",
                        help="from this step the learning rates fall linearly to 0 at the "
                        f"last step, as in the paper (default {decay})")
    parser.add_argument("--eval-every", type=positive_int, default=None,
                        help=f"steps between mIoU measurements (default {every})")


def _add_run_flags(parser: argparse.ArgumentParser, model: str, networks: str) -> None:
    """The flags both translation models end with: threads, run folder and export."""
    name = f"{model}_landscapes64"
    parser.add_argument("--perceptual-weight", type=non_negative_float, default=0.0,
                        help="weight of the distance in the course CLIP's image tower to the "
                        "real photo, a stand-in for the paper's VGG loss (default 0: none)")
    parser.add_argument("--threads", type=positive_int, default=None,
                        help="CPU threads for PyTorch (default: PyTorch's choice)")
    parser.add_argument("--out", default=f"runs/{model}", help="run folder")
    parser.add_argument("--export", nargs="?", const="run", default=None, metavar="PATH",
                        help=f"also write {networks} as fp16 safetensors + sidecar (default: no "
                        f"export; no value: OUT/{name}.safetensors)")
    add_export_flags(parser, name, None)


def _train_spade(args: argparse.Namespace) -> int:
    """SPADE (GauGAN) on 64 px Landscapes maps -> photos (unit 06)

    Train the course-sized SPADE generator with its VAE style encoder (hinge loss, feature
    matching, KL; unit 05's multi-scale discriminator with spectral norm; TTUR: G 1e-4, D 4e-4,
    Adam betas (0, 0.999)) under the protocol shared with unit 05: 64 px, batch 4, 2000 steps
    on the first 4000 training scenes, mIoU every 250 steps (metrics.csv), final mIoU and
    landscape FID on 500 test maps (result.json). The shipped model: --long-recipe --steps
    12000 --lr-decay-from 6000 --perceptual-weight 10 (unit 05's shipped recipe). Running it
    again with the same --out resumes.
    """
    import torch

    from course_lib.training.spade_run import export_spade_run, train_spade
    from course_lib.training.spade_task import SPADELossConfig
    from course_lib.training.translation_run import PROTOCOL, RECIPE

    if args.threads:
        torch.set_num_threads(args.threads)
    protocol = (RECIPE if args.long_recipe else PROTOCOL).for_profile(
        args.steps, args.n_train, args.eval_every, args.lr_decay_from)
    export = _run_export(args, "spade_landscapes64")
    loss = SPADELossConfig.course(lambda_perceptual=args.perceptual_weight)
    _, metrics, result = train_spade(args.out, loss=loss, protocol=protocol, seed=args.seed,
                                     ttur=not args.no_ttur)
    _report("SPADE", args, metrics, result)
    if export:
        path = export_spade_run(args.out, result, metrics, command_line(), export)
        print(f"exported generator + style encoder to {path}")
    return 0


def add_train_spade(commands: argparse._SubParsersAction) -> None:
    """``course train spade``: unit 06's SPADE generator and style encoder on Landscapes."""
    parser = subcommand(train_models(commands), "spade", _train_spade,
                        "course train spade --seed 0 --threads 1 --out runs/spade-s0 --export")
    _add_protocol_flags(parser, steps="2000", decay="none; 4000 with --long-recipe",
                        every="250; 500 with --long-recipe")
    parser.add_argument("--no-ttur", action="store_true",
                        help="use unit 05's optimiser (Adam 2e-4 for both, betas 0.5, 0.999)")
    parser.add_argument("--long-recipe", action="store_true",
                        help="unit 05's longer schedule (RECIPE): 8000 steps, the learning "
                        "rates decaying linearly to 0 over the last 4000, mIoU every 500 steps "
                        "(the shipped model: with --steps 12000 --lr-decay-from 6000 "
                        "--perceptual-weight 10)")
    _add_run_flags(parser, "spade", "G + E")
