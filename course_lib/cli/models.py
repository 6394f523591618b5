"""``course train fashion-cnn|segmenter|clip|sr|vqgan|transformer``: the networks that
classify, segment, re-rank, super-resolve and turn text into images.

Each handler maps its flags to the library's config (``None``: the profile's size), calls the
library's ``train_*`` (which trains in the ``--out`` run folder, resumable after Ctrl-C, and
writes the export and its sidecar) and prints one summary line.
"""

from __future__ import annotations

import argparse

from course_lib.cli.args import image_size, non_negative_int, positive_float, positive_int, share
from course_lib.cli.common import (
    _export_path,
    add_export_flags,
    add_run_flags,
    add_size_flags,
    command_line,
    print_summary,
    run_dir,
    size_settings,
    subcommand,
    train_models,
)


def _train_fashion_cnn(args: argparse.Namespace) -> int:
    """FashionCNN classifier (unit 02; feature network of FID)

    Train FashionCNN (3 conv blocks + dense head, PyTorch) on Fashion-MNIST: the first 5,000
    training images validate, the other 55,000 train; the test accuracy is measured once at
    the end. Writes fp16 safetensors + a JSON sidecar. About 6 minutes on 2 idle CPU cores
    with the defaults (test accuracy about 0.93).
    """
    from course_lib.training.classifier import ClassifierTrainConfig, train_fashion_cnn

    out = _export_path(args, "fashion_cnn")
    config = ClassifierTrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                                   seed=args.seed, limit=args.limit, device=args.device,
                                   threads=args.threads)
    meta = train_fashion_cnn(out, config, command=command_line(), run=run_dir(args))
    print(f"FashionCNN: test accuracy {meta['test_accuracy']:.4f} after "
          f"{meta['train_seconds']:.0f} s of training; checkpoint written to {out}")
    return 0


def add_train_fashion_cnn(commands: argparse._SubParsersAction) -> None:
    """``course train fashion-cnn``: the unit 02 classifier and feature network for FID."""
    parser = subcommand(train_models(commands), "fashion-cnn", _train_fashion_cnn,
                        "course train fashion-cnn --epochs 10 --seed 0 --out /tmp/fcnn.safetensors")
    parser.add_argument("--epochs", type=positive_int, default=10,
                        help="passes over the data (default 10)")
    parser.add_argument("--batch-size", type=positive_int, default=128,
                        help="batch size (default 128)")
    parser.add_argument("--lr", type=positive_float, default=3e-3,
                        help="peak learning rate of the one-cycle schedule (default 3e-3)")
    parser.add_argument("--limit", type=positive_int, default=None,
                        help="train on at most this many images (quick trials; default: all)")
    add_run_flags(parser)
    add_export_flags(parser, "fashion_cnn", "runs/fashion-cnn")


def _train_segmenter(args: argparse.Namespace) -> int:
    """Landscapes segmenter (units 05-07: mIoU and FID of generated images)

    Train the small U-Net that segments rendered Landscapes; the mIoU of its predictions on
    generated images scores pix2pixHD and SPADE. Sizes default to the profile (full: 9000
    scenes, 4 epochs, about 8 minutes on 2 quiet CPU cores). Writes fp16 safetensors + a JSON
    sidecar.
    """
    from course_lib.models.segmenter import CHECKPOINT_NAME, SegmenterConfig
    from course_lib.training.segmenter import SegmenterTrainConfig, train_segmenter

    config = SegmenterTrainConfig(size=args.size, n_train=args.n_train, n_test=args.n_test,
                                  epochs=args.epochs, batch_size=args.batch_size, lr=args.lr,
                                  seed=args.seed, threads=args.threads)
    _, report = train_segmenter(config, SegmenterConfig(width=args.width), run=run_dir(args),
                                export=_export_path(args, CHECKPOINT_NAME),
                                command=command_line())
    test = report["test"]
    return print_summary("segmenter", f"test mIoU {test['miou']:.4f}, pixel accuracy "
                         f"{test['pixel_accuracy']:.4f}", report)


def add_train_segmenter(commands: argparse._SubParsersAction) -> None:
    """``course train segmenter``: the U-Net that scores units 05-07."""
    seg = subcommand(train_models(commands), "segmenter", _train_segmenter,
                     "course train segmenter --seed 0 --threads 2")
    seg.add_argument("--size", type=image_size, default=64, help="image size (default 64)")
    seg.add_argument("--n-train", type=positive_int, default=None, help="training scenes")
    seg.add_argument("--n-test", type=positive_int, default=None,
                     help="test scenes for the recorded figure (default 1000; fast: 200)")
    seg.add_argument("--epochs", type=positive_int, default=None, help="passes over the scenes")
    seg.add_argument("--batch-size", type=positive_int, default=32)
    seg.add_argument("--lr", type=positive_float, default=3e-3, help="peak one-cycle learning rate")
    seg.add_argument("--width", type=positive_int, default=16, help="channels at full resolution")
    add_run_flags(seg, device=False)
    add_export_flags(seg, "landscapes_segmenter", "runs/segmenter")


def _train_clip(args: argparse.Namespace) -> int:
    """tiny CLIP on (render, caption) pairs (unit 07 re-ranking)

    Train the tiny CLIP contrastively on rendered 64 px Landscapes and their English and
    Russian captions; the recorded figure is caption retrieval on test scenes. Full profile:
    10,000 scenes, 700 steps of 128 (about 8 minutes on one quiet CPU core). Writes fp16
    safetensors + a JSON sidecar.
    """
    from course_lib.models.clip import CHECKPOINT_NAME
    from course_lib.training.clip import ClipTrainConfig, train_clip

    _, report = train_clip(ClipTrainConfig(**size_settings(args)), run=run_dir(args),
                           export=_export_path(args, CHECKPOINT_NAME), command=command_line())
    en, ru = report["test"]["en"], report["test"]["ru"]
    return print_summary(
        "CLIP", f"caption retrieval top-1 EN {en['top1']:.3f}, RU {ru['top1']:.3f} (chance "
        f"{en['chance_top1']:.3f}), top-5 EN {en['top5']:.3f}, RU {ru['top5']:.3f} (chance "
        f"{en['chance_top5']:.3f})", report)


def _train_sr(args: argparse.Namespace) -> int:
    """x4 super-resolution net (unit 07, 64 -> 256 px)

    Train the EDSR-style x4 super-resolution net (course size) on 256 px renders shrunk to
    64 px, L1 loss; the recorded figure is PSNR against bicubic. Full profile: 3,000 scenes,
    1,000 steps of 16 crops of 64 px. Writes fp16 safetensors + a JSON sidecar.
    """
    from course_lib.models.super_resolution import CHECKPOINT_NAME
    from course_lib.training.super_resolution import SRTrainConfig, train_sr

    _, report = train_sr(SRTrainConfig(**size_settings(args)), run=run_dir(args),
                         export=_export_path(args, CHECKPOINT_NAME), command=command_line())
    test = report["test"]
    return print_summary("super-resolution x4", f"PSNR {test['psnr_sr']:.2f} dB (bicubic "
                         f"{test['psnr_bicubic']:.2f} dB) on {test['n']} test renders", report)


def add_text_to_image_commands(commands: argparse._SubParsersAction) -> None:
    """``course train clip`` and ``course train sr`` (unit 07: re-ranking, super-resolution)."""
    for name, handler, export, defaults in (("clip", _train_clip, "landscapes_clip", (128, 2e-3)),
                                            ("sr", _train_sr, "landscapes_sr_x4", (16, 1e-3))):
        parser = subcommand(train_models(commands), name, handler,
                            f"course train {name} --seed 0 --threads 1")
        add_size_flags(parser, *defaults)
        add_run_flags(parser, device=False)
        add_export_flags(parser, export, f"runs/{name}")


def _train_vqgan(args: argparse.Namespace) -> int:
    """VQ-GAN image tokenizer on Landscapes (unit 07)

    Train the course's VQ-GAN (64 px -> 8x8 tokens, 512 codes) with L1, segmenter-perceptual
    and commitment losses, then a hinge PatchGAN term with the adaptive weight after a warm-up.
    Measures test PSNR and codebook usage and writes fp16 safetensors + a JSON sidecar.
    """
    from course_lib.models.vqgan import VQGANConfig
    from course_lib.training.vqgan_run import (
        DecoderFinetuneConfig,
        VQGANLossConfig,
        VQGANTrainConfig,
        finetune_decoder,
        train_vqgan,
    )

    sizes = size_settings(args)
    if args.finetune_decoder:
        config = DecoderFinetuneConfig(**sizes, perceptual_weight=args.perceptual_weight)
        meta = finetune_decoder(config, args.checkpoint, _export_path(args, "landscapes_vqgan"),
                                command=command_line(), run=run_dir(args) / "decoder-finetune")
        print(f"VQ-GAN decoder fine-tuned: test PSNR {meta['quality']['psnr']:.2f} dB; wrote "
              f"{meta['checkpoint']}")
        return 0
    config = VQGANTrainConfig(**sizes, disc_start=args.disc_start,
                              lr_decay_from=args.lr_decay_from, device=args.device)
    model = VQGANConfig.course(args.layout, args.ch, args.res_blocks)
    loss = VQGANLossConfig(perceptual_weight=args.perceptual_weight,
                           disc_weight=args.disc_weight, perceptual_images=args.perceptual_images)
    meta = train_vqgan(config, loss, model, run=args.out,
                       export=_export_path(args, "landscapes_vqgan", args.checkpoint),
                       command=command_line(), resume=not args.no_resume)
    q = meta["quality"]
    return print_summary("VQ-GAN", f"test PSNR {q['psnr']:.2f} dB, perplexity "
                         f"{q['perplexity']:.1f}, {100 * q['used_share']:.1f}% of codes used", meta)


def _train_transformer(args: argparse.Namespace) -> int:
    """text-to-image transformer over BPE text + VQ-GAN tokens (unit 07)

    Tokenise Landscapes renders with the VQ-GAN and their EN/RU captions with a BPE trained on
    them, then train a GPT over [32 text tokens][64 image tokens] (text:image loss 1:7).
    Measures held-out losses and the attribute agreement of generated images; writes fp16
    safetensors, the tokenizer JSON and a JSON sidecar.
    """
    from course_lib.training.transformer import TransformerTrainConfig, train_transformer

    config = TransformerTrainConfig(
        **size_settings(args), text_len=args.text_len, vqgan=args.vqgan, device=args.device,
        max_seconds=args.max_minutes * 60 if args.max_minutes else None)
    meta = train_transformer(config, run=run_dir(args), command=command_line(),
                             export=_export_path(args, "landscapes_transformer", args.checkpoint))
    q = meta["quality"]
    return print_summary(
        "transformer", f"test image loss {q['image_loss']:.3f}, text loss "
        f"{q['text_loss']:.3f} nats/token; attribute agreement (all six) "
        f"{q['attributes']['matched']['all']:.3f} vs {q['attributes']['shuffled']['all']:.3f} "
        "with shuffled captions", meta)


def add_unit07_commands(commands: argparse._SubParsersAction) -> None:
    """``course train vqgan`` and ``course train transformer`` (unit 07, text to image)."""
    group = train_models(commands)
    vq = subcommand(group, "vqgan", _train_vqgan,
                    "course train vqgan --steps 2400 --threads 1 --out runs/vqgan")
    add_size_flags(vq, 16, 2e-3, n_train="20000; fast 500", n_test="1000; fast 100",
                    steps="2400; fast 20")
    vq.add_argument("--disc-start", type=share, default=0.6,
                    help="share of the steps before the GAN loss starts (default 0.6)")
    vq.add_argument("--disc-weight", type=positive_float, default=0.8)
    vq.add_argument("--perceptual-weight", type=positive_float, default=1.0)
    vq.add_argument("--perceptual-images", type=non_negative_int, default=8,
                    help="images per batch that the perceptual loss scores (0: all)")
    vq.add_argument("--lr-decay-from", type=share, default=None,
                    help="share of the steps after which both rates fall linearly to 0")
    vq.add_argument("--layout", choices=("course", "taming"), default="course",
                    help="block layout (models.vqgan.VQGANConfig.course)")
    vq.add_argument("--ch", type=positive_int, default=16, help="base width (default 16)")
    vq.add_argument("--res-blocks", type=non_negative_int, default=None,
                    help="encoder residual blocks per level (default: 0 course, 1 taming)")
    add_run_flags(vq)
    vq.add_argument("--out", default="runs/vqgan", help="run folder (resumable checkpoints)")
    vq.add_argument("--checkpoint", default=None, help="exported model (default: "
                    "OUT/landscapes_vqgan.safetensors); with --finetune-decoder the model to "
                    "start from (default: the shipped one)")
    add_export_flags(vq, "landscapes_vqgan", None)
    vq.add_argument("--no-resume", action="store_true")
    vq.add_argument("--finetune-decoder", action="store_true",
                    help="retrain only the decoder of --checkpoint (L1 + perceptual, encoder "
                    "and codebook frozen, so the tokens do not change) for --steps steps")

    tr = subcommand(group, "transformer", _train_transformer,
                    "course train transformer --steps 3000 --threads 1")
    add_size_flags(tr, 32, 2e-3, n_train="10000; fast 300", n_test="500; fast 50",
                    steps="3000; fast 20")
    tr.add_argument("--max-minutes", type=positive_float, default=None,
                    help="stop training after this many minutes (steps done are recorded; "
                    "default: no limit)")
    tr.add_argument("--text-len", type=positive_int, default=32, help="text tokens per caption")
    tr.add_argument("--vqgan", default=None, help="VQ-GAN checkpoint (default: shipped)")
    add_run_flags(tr)
    tr.add_argument("--checkpoint", default=None, help="exported model (default: "
                    "OUT/landscapes_transformer.safetensors)")
    add_export_flags(tr, "landscapes_transformer", "runs/transformer")
