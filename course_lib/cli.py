"""The ``course`` command: prepare data, train the course's models, sample, grade.

Each unit adds its subcommands here with a small ``add_*`` function, so ``course --help``
lists everything a student can run. Heavy imports happen inside the handlers, so the help
text appears instantly.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from course_lib.cli_args import (
    image_size,
    non_negative_int,
    positive_float,
    positive_int,
    share,
    show_defaults,
)


def _data_fashion_mnist(args: argparse.Namespace) -> int:
    from course_lib.data.fashion_mnist import load_fashion_mnist, locate

    (x_train, _), (x_test, _) = load_fashion_mnist()
    print(f"Fashion-MNIST ready in {locate(allow_download=False)}: "
          f"{len(x_train):,} training and {len(x_test):,} test images (checksums verified).")
    return 0


def add_data_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """``course data ...``: find, verify or download data sets."""
    data = commands.add_parser("data", help="prepare a data set (download, verify, render)",
                               description="Prepare a data set so notebooks can use it offline.")
    which = data.add_subparsers(dest="dataset", required=True, metavar="DATASET")
    fmnist = which.add_parser(
        "fashion-mnist", help="find or download Fashion-MNIST and verify its checksums",
        description="Look for the four official Fashion-MNIST files ($COURSE_DATA_DIR, "
        "datasets/, the Keras cache), download what is missing, verify SHA-256 checksums "
        "and fill the Keras cache so keras.datasets.fashion_mnist.load_data() works offline.")
    fmnist.set_defaults(handler=_data_fashion_mnist)
    return which


def add_export_flags(parser: argparse.ArgumentParser, name: str, out: str | None) -> None:
    """``--out`` (unless ``out`` is None: the command has its own) and ``--export-to-package``."""
    if out is not None:
        parser.add_argument("--out", default=out, help=f"run folder (gets {name}.safetensors + "
                            "its .json) or a .safetensors path")
    parser.add_argument("--export-to-package", action="store_true",
                        help=f"replace the shipped course_lib/checkpoints/{name}.safetensors "
                        "(the old files are kept as .bak)")


def _export_path(args: argparse.Namespace, name: str, out: str | None = None):
    """Where this command exports ``name`` (checked before training starts)."""
    from course_lib.models.weights_file import export_path

    return export_path(name, out or args.out, args.export_to_package)


def _run_export(args: argparse.Namespace, name: str):
    """The export path of ``--export [PATH]`` / ``--export-to-package``, or None."""
    if not (args.export or args.export_to_package):
        return None
    return _export_path(args, name, None if args.export in (None, "run") else args.export)


def train_models(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """The shared ``course train MODEL`` group: created by the first unit that asks for it."""
    train = commands.choices.get("train")
    if train is None:
        train = commands.add_parser(
            "train", help="train one of the course's models with its defaults",
            description="Train a course model and write a safetensors checkpoint "
            "with a JSON sidecar (command, seed, date, measured quality).")
        train.set_defaults(models=train.add_subparsers(dest="model", required=True,
                                                       metavar="MODEL"))
    return train.get_default("models")


def _train_fashion_cnn(args: argparse.Namespace) -> int:
    import shlex

    import torch

    from course_lib.training.classifier import ClassifierTrainConfig, train_fashion_cnn

    if args.threads:
        torch.set_num_threads(args.threads)
    out = _export_path(args, "fashion_cnn")
    config = ClassifierTrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                                   seed=args.seed)
    command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    meta = train_fashion_cnn(out, config, limit=args.limit, device=args.device,
                             command=command)
    print(f"FashionCNN: test accuracy {meta['test_accuracy']:.4f} after "
          f"{meta['train_seconds']:.0f} s of training; checkpoint written to {out}")
    return 0


def add_train_fashion_cnn(commands: argparse._SubParsersAction) -> None:
    """``course train fashion-cnn``: the unit 02 classifier and feature network for FID."""
    parser = train_models(commands).add_parser(
        "fashion-cnn", help="FashionCNN classifier (unit 02; feature network of FID)",
        description="Train FashionCNN (3 conv blocks + dense head, PyTorch) on Fashion-MNIST: "
        "the first 5,000 training images validate, the other 55,000 train; the test accuracy "
        "is measured once at the end. Writes fp16 safetensors + a JSON sidecar. "
        "About 6 minutes on 2 idle CPU cores with the defaults (test accuracy about 0.93).",
        epilog="Example: course train fashion-cnn --epochs 10 --seed 0 --out /tmp/fcnn.safetensors")
    parser.add_argument("--epochs", type=positive_int, default=10,
                        help="passes over the data (default 10)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--batch-size", type=positive_int, default=128,
                        help="batch size (default 128)")
    parser.add_argument("--lr", type=positive_float, default=3e-3,
                        help="peak learning rate of the one-cycle schedule (default 3e-3)")
    parser.add_argument("--limit", type=positive_int, default=None,
                        help="train on at most this many images (quick trials; default: all)")
    parser.add_argument("--device", default=None, help="cpu, cuda or mps (default: best found)")
    parser.add_argument("--threads", type=positive_int, default=None,
                        help="CPU threads for PyTorch (default: PyTorch's choice)")
    add_export_flags(parser, "fashion_cnn", "runs/fashion-cnn")
    parser.set_defaults(handler=_train_fashion_cnn)


def _data_landscapes(args: argparse.Namespace) -> int:
    from course_lib.data.landscapes.dataset import cache_folder, cached_split

    for split, n in (("train", args.n), ("val", args.n_val), ("test", args.n_val)):
        if n:
            images, _ = cached_split(split, args.size, n, progress=True, workers=args.workers)
            print(f"Landscapes {split}: {len(images):,} scenes at {args.size}px")
    print(f"cached in {cache_folder()}")
    return 0


def _train_segmenter(args: argparse.Namespace) -> int:
    import shlex

    from course_lib.models.segmenter import CHECKPOINT_NAME, SegmenterConfig
    from course_lib.models.segmenter_training import (
        SegmenterTrainConfig,
        train_segmenter,
        write_checkpoint,
    )

    config = SegmenterTrainConfig(size=args.size, n_train=args.n_train, n_test=args.n_test,
                                  epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                                  seed=args.seed, threads=args.threads)
    out = _export_path(args, CHECKPOINT_NAME)
    model, report = train_segmenter(config, SegmenterConfig(width=args.width))
    command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    path = write_checkpoint(model, report, out, command=command)
    test = report["test"]
    print(f"segmenter: test mIoU {test['miou']:.4f}, pixel accuracy "
          f"{test['pixel_accuracy']:.4f} after {report['train_seconds']:.0f} s; wrote {path}")
    return 0


def add_landscapes_commands(commands: argparse._SubParsersAction,
                            data: argparse._SubParsersAction) -> None:
    """``course data landscapes`` (render and cache) and ``course train segmenter``."""
    render = data.add_parser(
        "landscapes", help="render and cache the procedural Landscapes data set",
        description="Render Landscapes scenes (label map, painted image; captions come from "
        "the seeds) and cache them under $COURSE_CACHE_DIR/landscapes. Splits use disjoint "
        "seed ranges; a larger cache is reused for smaller requests.",
        epilog="Example: course data landscapes --size 128 --n 20000")
    render.add_argument("--size", type=image_size, default=64, help="image size in px, 32-256")
    render.add_argument("--n", type=positive_int, default=20_000,
                        help="training scenes (default 20000)")
    render.add_argument("--n-val", type=non_negative_int, default=2_000,
                        help="validation and test scenes each (default 2000; 0 skips them)")
    render.add_argument("--workers", type=positive_int, default=1, help="rendering processes")
    render.set_defaults(handler=_data_landscapes)

    seg = train_models(commands).add_parser(
        "segmenter", help="Landscapes segmenter (units 05-07: mIoU and FID of generated images)",
        description="Train the small U-Net that segments rendered Landscapes; the mIoU of its "
        "predictions on generated images scores pix2pixHD and SPADE. Sizes default to the "
        "profile (full: 9000 scenes, 4 epochs, about 8 minutes on 2 quiet CPU cores). "
        "Writes fp16 safetensors + a JSON sidecar.",
        epilog="Example: course train segmenter --seed 0 --threads 2")
    seg.add_argument("--size", type=image_size, default=64, help="image size (default 64)")
    seg.add_argument("--n-train", type=positive_int, default=None, help="training scenes")
    seg.add_argument("--n-test", type=positive_int, default=None,
                     help="test scenes for the recorded figure (default 1000; fast: 200)")
    seg.add_argument("--epochs", type=positive_int, default=None, help="passes over the scenes")
    seg.add_argument("--batch-size", type=positive_int, default=32)
    seg.add_argument("--lr", type=positive_float, default=3e-3, help="peak one-cycle learning rate")
    seg.add_argument("--width", type=positive_int, default=16, help="channels at full resolution")
    seg.add_argument("--seed", type=int, default=0)
    seg.add_argument("--threads", type=positive_int, default=None,
                     help="CPU threads for PyTorch (default: PyTorch's choice)")
    add_export_flags(seg, "landscapes_segmenter", "runs/segmenter")
    seg.set_defaults(handler=_train_segmenter)


def _train_gan(args: argparse.Namespace) -> int:
    from course_lib.config import by_profile
    from course_lib.training import distributed
    from course_lib.training.gan_run import train_fashion_gan
    from course_lib.training.gan_trainer import TrainConfig

    config = TrainConfig(
        steps=args.steps or by_profile(full=TrainConfig.steps, fast=200),
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
        parser = train_models(commands).add_parser(
            name, help=about, description=f"Train {about} on Fashion-MNIST. Runs under "
            "torchrun for several GPUs; running it again with the same --out resumes.",
            epilog=f"Example: course train {name} --steps 5000 --out runs/{name}")
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
        parser.set_defaults(handler=_train_gan)
    sample = commands.add_parser(
        "sample", help="draw images from a trained generator into a PNG grid",
        description="Load a generator from a run folder (or its weights file) and save samples.",
        epilog="Examples: course sample runs/lsgan --n 64 --out lsgan.png; "
               "course sample lsgan_dcgan --out shipped.png")
    sample.add_argument("checkpoint", help="run folder, its checkpoints/ folder, .safetensors, "
                        "or a shipped generator: mlp_gan (unit 03), lsgan_dcgan (unit 04)")
    sample.add_argument("--n", type=positive_int, default=64, help="images in the grid")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--out", default="samples.png")
    sample.set_defaults(handler=_sample)


def _train_clip(args: argparse.Namespace) -> int:
    import shlex

    from course_lib.models.clip import CHECKPOINT_NAME
    from course_lib.models.clip_training import ClipTrainConfig, train_clip, write_checkpoint

    config = ClipTrainConfig(n_train=args.n_train, n_test=args.n_test, steps=args.steps,
                             batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                             threads=args.threads)
    out = _export_path(args, CHECKPOINT_NAME)
    model, report = train_clip(config)
    command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    path = write_checkpoint(model, report, out, command=command)
    for lang, r in report["test"].items():
        print(f"CLIP {lang}: caption retrieval top-1 {r['top1']:.3f} (chance "
              f"{r['chance_top1']:.3f}), top-5 {r['top5']:.3f} (chance {r['chance_top5']:.3f})")
    print(f"trained in {report['train_seconds']:.0f} s; wrote {path}")
    return 0


def _train_sr(args: argparse.Namespace) -> int:
    import shlex

    from course_lib.models.super_resolution import CHECKPOINT_NAME
    from course_lib.models.super_resolution_training import (
        SRTrainConfig,
        train_sr,
        write_checkpoint,
    )

    config = SRTrainConfig(n_train=args.n_train, n_test=args.n_test, steps=args.steps,
                           batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                           threads=args.threads)
    out = _export_path(args, CHECKPOINT_NAME)
    model, report = train_sr(config)
    command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    path = write_checkpoint(model, report, out, command=command)
    test = report["test"]
    print(f"super-resolution x4: PSNR {test['psnr_sr']:.2f} dB (bicubic "
          f"{test['psnr_bicubic']:.2f} dB) on {test['n']} test renders; trained in "
          f"{report['train_seconds']:.0f} s; wrote {path}")
    return 0


def add_text_to_image_commands(commands: argparse._SubParsersAction) -> None:
    """``course train clip`` and ``course train sr`` (unit 07: re-ranking, super-resolution)."""
    for name, about, desc, defaults in (
            ("clip", "tiny CLIP on (render, caption) pairs (unit 07 re-ranking)",
             "Train the tiny CLIP contrastively on rendered 64 px Landscapes and their English "
             "and Russian captions; the recorded figure is caption retrieval on test scenes. "
             "Full profile: 10,000 scenes, 700 steps of 128 (about 8 minutes on one quiet "
             "CPU core).", (128, 2e-3)),
            ("sr", "x4 super-resolution net (unit 07, 64 -> 256 px)",
             "Train the EDSR-style x4 super-resolution net (course size) on 256 px renders "
             "shrunk to 64 px, L1 loss; the recorded figure is PSNR against bicubic. Full "
             "profile: 3,000 scenes, 1,000 steps of 16 crops of 64 px.", (16, 1e-3))):
        parser = train_models(commands).add_parser(
            name, help=about, description=desc + " Writes fp16 safetensors + a JSON sidecar.",
            epilog=f"Example: course train {name} --seed 0 --threads 1")
        parser.add_argument("--n-train", type=positive_int, default=None, help="training scenes")
        parser.add_argument("--n-test", type=positive_int, default=None, help="test scenes")
        parser.add_argument("--steps", type=positive_int, default=None, help="optimiser steps")
        parser.add_argument("--batch-size", type=positive_int, default=defaults[0])
        parser.add_argument("--lr", type=positive_float, default=defaults[1],
                            help="peak learning rate")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument("--threads", type=positive_int, default=None,
                            help="CPU threads for PyTorch (default: PyTorch's choice)")
        add_export_flags(parser, "landscapes_clip" if name == "clip" else "landscapes_sr_x4",
                         f"runs/{name}")
        parser.set_defaults(handler=_train_clip if name == "clip" else _train_sr)


def _train_pix2pixhd(args: argparse.Namespace) -> int:
    import datetime
    import shlex
    from dataclasses import replace

    import torch

    from course_lib.config import by_profile
    from course_lib.models.pix2pixhd import Pix2PixHDConfig
    from course_lib.training.pix2pixhd_run import (
        PROTOCOL,
        RECIPE,
        export_generator,
        train_pix2pixhd,
    )

    if args.threads:
        torch.set_num_threads(args.threads)
    full = PROTOCOL if args.shared_protocol else RECIPE
    decay = args.lr_decay_from if args.lr_decay_from is not None else full.lr_decay_from
    protocol = replace(full, steps=args.steps or by_profile(full=full.steps, fast=20),
                       n_train=args.n_train or by_profile(full=full.n_train, fast=64),
                       n_test=by_profile(full=full.n_test, fast=64),
                       n_eval=by_profile(full=full.n_eval, fast=32),
                       eval_every=args.eval_every or by_profile(full=full.eval_every, fast=10),
                       lr_decay_from=by_profile(full=decay, fast=args.lr_decay_from))
    config = Pix2PixHDConfig.course()
    export = _run_export(args, "pix2pixhd_landscapes64")
    _, metrics, result = train_pix2pixhd(args.out, config, protocol, seed=args.seed)
    print(metrics.to_string(index=False))
    print(f"pix2pixHD seed {args.seed}: test mIoU {result['miou']:.4f}, pixel accuracy "
          f"{result['pixel_accuracy']:.4f}, landscape FID {result['fid']:.2f} after "
          f"{result['step']} steps ({result['train_seconds']:.0f} s); run folder {args.out}")
    if export:
        command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        meta = {"command": command, "seed": args.seed, "date": str(datetime.date.today()),
                "quality": {k: result[k] for k in ("miou", "pixel_accuracy", "fid")},
                "protocol": result["protocol"], "train_seconds": result["train_seconds"],
                "history": metrics.round(4).to_dict("records")}
        path = export_generator(_generator(args.out), config, meta, export)
        print(f"exported the generator to {path}")
    return 0


def _generator(run: str):
    from course_lib.training.pix2pixhd_run import load_pix2pixhd

    return load_pix2pixhd(run)


def add_train_pix2pixhd(commands: argparse._SubParsersAction) -> None:
    """``course train pix2pixhd``: unit 05's label-map-to-photo GAN on Landscapes."""
    parser = train_models(commands).add_parser(
        "pix2pixhd", help="pix2pixHD on 64 px Landscapes maps -> photos (unit 05)",
        description="Train the course-sized pix2pixHD (global generator + feature encoder, "
        "three PatchGAN discriminators, LSGAN + feature matching + L1) at 64 px, batch 4, on "
        "the first 4000 training scenes: 8000 steps, the learning rate decaying linearly to 0 "
        "over the last 4000 (the shipped model; --shared-protocol: the 2000 constant-rate "
        "steps that units 05-06 compare at). Every 500 (250) steps the segmenter's mIoU on "
        "generated images for 200 test maps is recorded (metrics.csv); at the end mIoU and "
        "landscape FID on the first 500 test maps (result.json). Running it again with the "
        "same --out resumes.",
        epilog="Example: course train pix2pixhd --seed 0 --threads 1 --out runs/p2p-s0 --export")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="training steps (default 8000, or 2000 with --shared-protocol; "
                        "20 with COURSE_PROFILE=fast)")
    parser.add_argument("--shared-protocol", action="store_true",
                        help="train under the protocol shared with SPADE (2000 steps, "
                        "constant learning rate, mIoU every 250 steps)")
    parser.add_argument("--n-train", type=positive_int, default=None,
                        help="training scenes (default 4000)")
    parser.add_argument("--lr-decay-from", type=non_negative_int, default=None, metavar="STEP",
                        help="from this step the learning rates fall linearly to 0 at the "
                        "last step, as in the paper (default 4000; none with "
                        "--shared-protocol or COURSE_PROFILE=fast)")
    parser.add_argument("--eval-every", type=positive_int, default=None,
                        help="steps between mIoU measurements (default 500; 250 with "
                        "--shared-protocol)")
    parser.add_argument("--threads", type=positive_int, default=None,
                        help="CPU threads for PyTorch (default: PyTorch's choice)")
    parser.add_argument("--out", default="runs/pix2pixhd", help="run folder")
    parser.add_argument("--export", nargs="?", const="run", default=None, metavar="PATH",
                        help="also write G as fp16 safetensors + sidecar (default: no export; "
                        "no value: OUT/pix2pixhd_landscapes64.safetensors)")
    add_export_flags(parser, "pix2pixhd_landscapes64", None)
    parser.set_defaults(handler=_train_pix2pixhd)


def _train_spade(args: argparse.Namespace) -> int:
    import datetime
    import shlex
    from dataclasses import replace

    import torch

    from course_lib.config import by_profile
    from course_lib.training.pix2pixhd_run import PROTOCOL
    from course_lib.training.spade_run import export_spade, load_spade, train_spade

    if args.threads:
        torch.set_num_threads(args.threads)
    protocol = replace(PROTOCOL, steps=args.steps or by_profile(full=PROTOCOL.steps, fast=20),
                       n_train=args.n_train or by_profile(full=PROTOCOL.n_train, fast=64),
                       n_test=by_profile(full=PROTOCOL.n_test, fast=64),
                       n_eval=by_profile(full=PROTOCOL.n_eval, fast=32),
                       eval_every=by_profile(full=PROTOCOL.eval_every, fast=10))
    export = _run_export(args, "spade_landscapes64")
    _, metrics, result = train_spade(args.out, protocol=protocol, seed=args.seed,
                                     ttur=not args.no_ttur)
    print(metrics.to_string(index=False))
    print(f"SPADE seed {args.seed}: test mIoU {result['miou']:.4f}, pixel accuracy "
          f"{result['pixel_accuracy']:.4f}, landscape FID {result['fid']:.2f} after "
          f"{result['step']} steps ({result['train_seconds']:.0f} s); run folder {args.out}")
    if export:
        command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        meta = {"command": command, "seed": args.seed, "date": str(datetime.date.today()),
                "quality": {k: result[k] for k in ("miou", "pixel_accuracy", "fid")},
                "protocol": result["protocol"], "train_seconds": result["train_seconds"],
                "optimiser": {k: result[k] for k in ("lr_g", "lr_d", "betas")},
                "history": metrics.round(4).to_dict("records")}
        path = export_spade(load_spade(args.out), meta, export)
        print(f"exported generator + style encoder to {path}")
    return 0


def add_train_spade(commands: argparse._SubParsersAction) -> None:
    """``course train spade``: unit 06's SPADE generator and style encoder on Landscapes."""
    parser = train_models(commands).add_parser(
        "spade", help="SPADE (GauGAN) on 64 px Landscapes maps -> photos (unit 06)",
        description="Train the course-sized SPADE generator with its VAE style encoder "
        "(hinge loss, feature matching, KL; unit 05's multi-scale discriminator with spectral "
        "norm; TTUR: G 1e-4, D 4e-4, Adam betas (0, 0.999)) under the protocol shared with "
        "unit 05: 64 px, batch 4, 2000 steps on the first 4000 training scenes, mIoU every 250 "
        "steps (metrics.csv), final mIoU and landscape FID on 500 test maps (result.json). "
        "Running it again with the same --out resumes.",
        epilog="Example: course train spade --seed 0 --threads 1 --out runs/spade-s0 --export")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--steps", type=positive_int, default=None,
                        help="training steps (default 2000; 20 with COURSE_PROFILE=fast)")
    parser.add_argument("--n-train", type=positive_int, default=None,
                        help="training scenes (default 4000)")
    parser.add_argument("--no-ttur", action="store_true",
                        help="use unit 05's optimiser (Adam 2e-4 for both, betas 0.5, 0.999)")
    parser.add_argument("--threads", type=positive_int, default=None,
                        help="CPU threads for PyTorch (default: PyTorch's choice)")
    parser.add_argument("--out", default="runs/spade", help="run folder")
    parser.add_argument("--export", nargs="?", const="run", default=None, metavar="PATH",
                        help="also write G + E as fp16 safetensors + sidecar (default: no "
                        "export; no value: OUT/spade_landscapes64.safetensors)")
    add_export_flags(parser, "spade_landscapes64", None)
    parser.set_defaults(handler=_train_spade)


def _train_vqgan(args: argparse.Namespace) -> int:
    import shlex

    import torch

    from course_lib.config import by_profile
    from course_lib.training.vqgan_run import VQGANLossConfig, train_vqgan

    if args.threads:
        torch.set_num_threads(args.threads)
    steps = args.steps or by_profile(full=2400, fast=20)
    if args.finetune_decoder:
        from course_lib.training.vqgan_run import finetune_decoder

        command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
        meta = finetune_decoder(steps, args.checkpoint, args.batch_size, args.lr,
                                perceptual_weight=args.perceptual_weight, seed=args.seed,
                                command=command, out=_export_path(args, "landscapes_vqgan"))
        q = meta["quality"]
        print(f"VQ-GAN decoder fine-tuned: test PSNR {q['psnr']:.2f} dB; wrote "
              f"{meta['checkpoint']}")
        return 0
    export = _export_path(args, "landscapes_vqgan", args.checkpoint)
    loss = VQGANLossConfig(disc_start=int(args.disc_start * steps),
                           perceptual_weight=args.perceptual_weight,
                           disc_weight=args.disc_weight, perceptual_images=args.perceptual_images)
    command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    meta = train_vqgan(args.out, steps, args.batch_size, args.lr,
                       n_train=args.n_train or by_profile(full=20_000, fast=500),
                       n_test=args.n_test or by_profile(full=1_000, fast=100), seed=args.seed,
                       loss=loss, device=args.device, checkpoint=export,
                       command=command, resume=not args.no_resume)
    q = meta["quality"]
    print(f"VQ-GAN: test PSNR {q['psnr']:.2f} dB, perplexity {q['perplexity']:.1f}, "
          f"{100 * q['used_share']:.1f}% of codes used, after {meta['train_seconds']:.0f} s; "
          f"wrote {meta['checkpoint']}")
    return 0


def _train_transformer(args: argparse.Namespace) -> int:
    import shlex

    import torch

    from course_lib.config import by_profile
    from course_lib.training.transformer_run import train_transformer

    if args.threads:
        torch.set_num_threads(args.threads)
    command = "course " + " ".join(shlex.quote(a) for a in sys.argv[1:])
    export = _export_path(args, "landscapes_transformer", args.checkpoint)
    meta = train_transformer(args.steps or by_profile(full=3000, fast=20), args.batch_size,
                             args.lr, n_train=args.n_train or by_profile(full=10_000, fast=300),
                             n_test=args.n_test or by_profile(full=500, fast=50),
                             seed=args.seed, vqgan_path=args.vqgan, text_len=args.text_len,
                             checkpoint=export, command=command, device=args.device,
                             max_seconds=args.max_minutes * 60 if args.max_minutes else None)
    q = meta["quality"]
    print(f"transformer: test image loss {q['image_loss']:.3f}, text loss {q['text_loss']:.3f} "
          f"nats/token; attribute agreement (all six) {q['attributes']['matched']['all']:.3f} "
          f"vs {q['attributes']['shuffled']['all']:.3f} with shuffled captions; "
          f"wrote {meta['checkpoint']}")
    return 0


def add_unit07_commands(commands: argparse._SubParsersAction) -> None:
    """``course train vqgan`` and ``course train transformer`` (unit 07, text to image)."""
    vq = train_models(commands).add_parser(
        "vqgan", help="VQ-GAN image tokenizer on Landscapes (unit 07)",
        description="Train the course's VQ-GAN (64 px -> 8x8 tokens, 512 codes) with L1, "
        "segmenter-perceptual and commitment losses, then a hinge PatchGAN term with the "
        "adaptive weight after a warm-up. Measures test PSNR and codebook usage and writes "
        "fp16 safetensors + a JSON sidecar.",
        epilog="Example: course train vqgan --steps 2400 --threads 1 --out runs/vqgan")
    vq.add_argument("--steps", type=positive_int, default=None,
                    help="steps (default 2400; fast 20)")
    vq.add_argument("--batch-size", type=positive_int, default=16)
    vq.add_argument("--lr", type=positive_float, default=2e-3, help="Adam learning rate, G and D")
    vq.add_argument("--disc-start", type=share, default=0.6,
                    help="share of the steps before the GAN loss starts (default 0.6)")
    vq.add_argument("--disc-weight", type=positive_float, default=0.8)
    vq.add_argument("--perceptual-weight", type=positive_float, default=1.0)
    vq.add_argument("--perceptual-images", type=non_negative_int, default=8,
                    help="images per batch that the perceptual loss scores (0: all)")
    vq.add_argument("--n-train", type=positive_int, default=None,
                    help="training renders (default 20000)")
    vq.add_argument("--n-test", type=positive_int, default=None,
                    help="test renders scored (default 1000)")
    vq.add_argument("--seed", type=int, default=0)
    vq.add_argument("--device", default=None, help="cuda, mps or cpu (default: best)")
    vq.add_argument("--threads", type=positive_int, default=None,
                    help="CPU threads for PyTorch (default: PyTorch's choice)")
    vq.add_argument("--out", default="runs/vqgan", help="run folder (resumable checkpoints)")
    vq.add_argument("--checkpoint", default=None, help="exported model (default: "
                    "OUT/landscapes_vqgan.safetensors); with --finetune-decoder the model to "
                    "start from (default: the shipped one)")
    add_export_flags(vq, "landscapes_vqgan", None)
    vq.add_argument("--no-resume", action="store_true")
    vq.add_argument("--finetune-decoder", action="store_true",
                    help="retrain only the decoder of --checkpoint (L1 + perceptual, encoder "
                    "and codebook frozen, so the tokens do not change) for --steps steps")
    vq.set_defaults(handler=_train_vqgan)

    tr = train_models(commands).add_parser(
        "transformer", help="text-to-image transformer over BPE text + VQ-GAN tokens (unit 07)",
        description="Tokenise Landscapes renders with the VQ-GAN and their EN/RU captions with "
        "a BPE trained on them, then train a GPT over [32 text tokens][64 image tokens] "
        "(text:image loss 1:7). Measures held-out losses and the attribute agreement of "
        "generated images; writes fp16 safetensors, the tokenizer JSON and a JSON sidecar.",
        epilog="Example: course train transformer --steps 3000 --threads 1")
    tr.add_argument("--steps", type=positive_int, default=None,
                    help="steps (default 3000; fast 20)")
    tr.add_argument("--batch-size", type=positive_int, default=32)
    tr.add_argument("--lr", type=positive_float, default=2e-3, help="peak AdamW learning rate")
    tr.add_argument("--max-minutes", type=positive_float, default=None,
                    help="stop training after this many minutes (steps done are recorded; "
                    "default: no limit)")
    tr.add_argument("--n-train", type=positive_int, default=None,
                    help="training scenes (default 10000)")
    tr.add_argument("--n-test", type=positive_int, default=None,
                    help="test scenes scored (default 500)")
    tr.add_argument("--text-len", type=positive_int, default=32, help="text tokens per caption")
    tr.add_argument("--vqgan", default=None, help="VQ-GAN checkpoint (default: shipped)")
    tr.add_argument("--seed", type=int, default=0)
    tr.add_argument("--device", default=None, help="cuda, mps or cpu (default: best)")
    tr.add_argument("--threads", type=positive_int, default=None,
                    help="CPU threads for PyTorch (default: PyTorch's choice)")
    tr.add_argument("--checkpoint", default=None, help="exported model (default: "
                    "OUT/landscapes_transformer.safetensors)")
    add_export_flags(tr, "landscapes_transformer", "runs/transformer")
    tr.set_defaults(handler=_train_transformer)


def _release(args: argparse.Namespace) -> int:
    from course_lib.grading.release import main as release_main

    return release_main([*args.names] + (["--all"] if args.all else [])
                        + (["--check"] if args.check else []))


def _grading_env(args: argparse.Namespace) -> dict[str, str]:
    env = {"COURSE_GRADING_TIMEOUT": str(args.timeout),
           "COURSE_GRADING_MEMORY_MB": str(args.memory_mb)}
    if args.allow_network:
        env["COURSE_GRADING_NETWORK"] = "on"
    return env


def _grade(args: argparse.Namespace) -> int:
    from pathlib import Path

    from course_lib.grading.autograde import grade_submissions
    from course_lib.grading.gradebook import save_result, summary_line, wide_gradebook
    from course_lib.grading.intake import find_submissions
    from course_lib.grading.sandbox import network_isolation_available

    found = find_submissions(Path(args.submissions), args.assignment)
    if not found:
        raise FileNotFoundError(f"no notebooks for {args.assignment} in {args.submissions} "
                                f"(expected <student>/{args.assignment}/*.ipynb or "
                                "<student>.ipynb)")
    out = Path(args.out)
    if (out / "work").exists():
        import shutil

        shutil.rmtree(out / "work")
    isolated = not args.allow_network and network_isolation_available()
    print(f"grading {len(found)} students of {args.assignment}: {args.timeout} s per cell, "
          f"{args.memory_mb} MB per kernel, network {'cut' if isolated else 'NOT isolated'}")
    result = grade_submissions(args.assignment, found, out / "work", env=_grading_env(args),
                               workers=args.workers,
                               root=Path(args.source) if args.source else None)
    path = save_result(result, out)
    table = wide_gradebook(result)
    print(table.drop(columns="notes").to_string())
    noted = table[table.notes != ""]
    for student, notes in noted.notes.items():
        print(f"{student}: {notes}")
    print(f"gradebook: {path} ({len(table)} students); "
          f"feedback: course feedback {args.assignment} --out {out}")
    print(summary_line(table))
    return 0


def _feedback(args: argparse.Namespace) -> int:
    from pathlib import Path

    from course_lib.grading.feedback import write_feedback
    from course_lib.grading.gradebook import load_result

    out = Path(args.out)
    pages = write_feedback(args.assignment, load_result(out), out / "work", out / "feedback",
                           keep_hidden_tests=args.keep_hidden_tests)
    print(f"wrote {len(pages)} feedback pages to {out / 'feedback'}")
    return 0


def add_grading_commands(commands: argparse._SubParsersAction) -> None:
    """``course release``, ``course grade`` and ``course feedback`` (instructors, nbgrader)."""
    release = commands.add_parser(
        "release", help="regenerate exercises/ from solutions/ with nbgrader",
        description="Run nbgrader generate_assignment on a scratch copy and write "
        "exercises/NAME (answers and hidden tests removed).",
        epilog="Example: course release --all --check")
    release.add_argument("names", nargs="*", help="assignments to release")
    release.add_argument("--all", action="store_true", help="every assignment in solutions/")
    release.add_argument("--check", action="store_true",
                         help="only report exercises that differ from their solutions")
    release.set_defaults(handler=_release)

    grade = commands.add_parser(
        "grade", help="autograde a folder of submissions and write the gradebook CSV",
        description="Autograde every student's notebook (nbgrader, fast profile, per-cell "
        "timeout, kernel memory cap, no network where the OS allows) in parallel workers. "
        "A broken or hostile notebook costs only its owner; what went wrong goes to the "
        "notes column. Writes OUT/gradebook.csv (one row per student), OUT/grades.csv, "
        "OUT/notes.json and keeps the autograded notebooks in OUT/work.",
        epilog="Example: course grade 01_dense_fashion_mnist downloads/ --out grading/01")
    grade.add_argument("assignment", help="assignment name (a folder of solutions/)")
    grade.add_argument("submissions", help="submitted/<student>/<assignment>/*.ipynb or a "
                       "flat folder of <student>.ipynb files")
    grade.add_argument("--out", required=True, help="folder for the gradebook and feedback")
    grade.add_argument("--workers", type=positive_int, default=None, help="parallel nbgrader runs "
                       "(default: CPU cores)")
    grade.add_argument("--timeout", type=int, default=120, help="seconds per cell (120)")
    grade.add_argument("--memory-mb", type=int, default=6144,
                       help="address-space cap per kernel in MB (6144; TensorFlow needs ~3000)")
    grade.add_argument("--allow-network", action="store_true",
                       help="do not cut the kernels off the network")
    grade.add_argument("--source", default=None,
                       help="course folder with solutions/ and nbgrader_config.py "
                       "(default: this repository)")
    grade.set_defaults(handler=_grade)

    feedback = commands.add_parser(
        "feedback", help="write per-student HTML feedback after `course grade`",
        description="Run nbgrader generate_feedback on the autograded notebooks of "
        "`course grade` and write OUT/feedback/<student>.html, with the grader's notes on top.",
        epilog="Example: course feedback 01_dense_fashion_mnist --out grading/01")
    feedback.add_argument("assignment", help="assignment name")
    feedback.add_argument("--out", required=True, help="the --out folder of `course grade`")
    feedback.add_argument("--keep-hidden-tests", action="store_true",
                          help="show hidden tests (### BEGIN HIDDEN TESTS) in the pages; by "
                          "default they are left out, so students cannot read them")
    feedback.set_defaults(handler=_feedback)


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser (exposed for tests and for ``--help``)."""
    parser = argparse.ArgumentParser(
        prog="course",
        description="Generative deep learning course: data, training, sampling and grading.",
        epilog="Set COURSE_PROFILE=fast for quick runs, COURSE_DATA_DIR for offline data.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    data = add_data_commands(commands)
    add_train_fashion_cnn(commands)
    add_landscapes_commands(commands, data)
    add_gan_commands(commands)
    add_unit07_commands(commands)
    add_train_pix2pixhd(commands)
    add_train_spade(commands)
    add_text_to_image_commands(commands)
    add_grading_commands(commands)
    show_defaults(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``course`` console script."""
    from course_lib.errors import CourseError

    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args) or 0)
    except CourseError as err:
        print(f"course: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt as err:  # Ctrl-C: loops that can save have done so (err says)
        print(f"\ncourse: {str(err) or 'interrupted; this command keeps no partial results'}",
              file=sys.stderr)
        return 130
    except (FileNotFoundError, ValueError, ConnectionError) as err:
        print(f"course: error: {err}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
