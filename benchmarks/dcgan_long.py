"""Unit 04's DCGAN trained for many epochs, scored after every epoch, GAN and LSGAN alike.

One run is one (loss, learning rate, seed): the DCGAN of ``course_lib.models.dcgan`` on all
60,000 Fashion-MNIST training images, batch 64, Adam betas (0.5, 0.999), fp32, one CPU thread.
After every epoch (937 steps) the generator is scored on 2,000 samples:

- ``fid_train``: FashionCNN FID against the first 2,000 *training* images (noise seed 99).
  This one picks the best epoch, so choosing it never looks at the test set.
- ``fid``, ``covered``, ``kl``, ``confident``: the course's reported figures (noise seed 1234,
  against the first 2,000 test images; ``confident`` is the share of samples FashionCNN gives
  a probability of at least 0.9).

Each epoch's generator is kept (``generators/epoch-NN.safetensors``, G's state dict) and the
scores go to ``scores.csv``. With ``--ema 0.999`` the trainer also keeps a moving average of
G (``TrainConfig.ema_decay``); both are scored (the average's figures as ``ema_*``), and the
average's weights are kept as ``generators/ema-NN.safetensors``. The live generator of an
``--ema`` run is the same as without it (the average draws no random numbers). The run
folder resumes exactly (the engine's checkpoints), so the command can be stopped and started
again. ``--ship-epoch`` turns one kept epoch into a run
folder of its own that ``benchmarks/export_gan_generator.py`` ships::

    OMP_NUM_THREADS=1 nice python benchmarks/dcgan_long.py --loss lsgan --lr 2e-4 --epochs 10
    OMP_NUM_THREADS=1 nice python benchmarks/dcgan_long.py --loss lsgan --lr 2e-4 --epochs 18 \
        --decay-from-epoch 10    # the same run, continued with a linear decay to 0
    python benchmarks/dcgan_long.py --loss lsgan --lr 2e-4 --ship-epoch 9 --to runs/ship_lsgan
    # --ema 0.999 on the training commands, and --ship-epoch 9 --ship-ema for the average
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

STEPS_PER_EPOCH = 60_000 // 64
SCORE_SAMPLES = 2000
FIELDS = ["epoch", "step", "fid_train", "fid", "covered", "kl", "confident", "cpu_s"]
FIGURES = ["fid_train", "fid", "covered", "kl", "confident"]
EMA_FIELDS = FIELDS[:-1] + [f"ema_{name}" for name in FIGURES] + ["cpu_s"]


def append_row(path: Path, fields: list[str], row: dict) -> None:
    """Add ``row`` to the CSV file ``path`` (with a header line when the file is new)."""
    new = not path.exists()
    with path.open("a", newline="") as f:
        writer = csv.DictWriter(f, fields)
        if new:
            writer.writeheader()
        writer.writerow(row)


def score(generator, n: int = SCORE_SAMPLES) -> dict[str, float]:
    """The run's figures for one generator (see the module docstring)."""

    from course_lib.data.fashion_mnist import load_fashion_mnist
    from course_lib.metrics import fashion_fid
    from course_lib.metrics.generator_scores import score_generator
    from course_lib.models.fashion_gan import sample

    (x_train, _), _ = load_fashion_mnist()
    picked = sample(generator.eval(), n, seed=99)
    reported = score_generator(generator, n)
    generator.train()
    return {"fid_train": fashion_fid(picked, x_train[:n], value_range="symmetric"),
            "fid": reported["fid"], "covered": reported["covered"],
            "kl": reported["kl_to_uniform"], "confident": reported["confident"]}


def epoch_run_folder(run: Path, epoch: int, to: Path, kept: str = "epoch") -> Path:
    """A run folder ``to`` whose newest checkpoint is ``run``'s generator after ``epoch``.

    The weights are the kept epoch's generator; the header (architecture, loss) and the
    training state (config, for the sidecar) come from the run's newest checkpoint, with the
    step set to the epoch's last step.
    """
    import json

    import torch
    from safetensors.torch import load_file, save_file

    from course_lib.models.weights_file import latest, read_meta

    source = run / "checkpoints"
    pointer = latest(source)
    state = torch.load(source / pointer["state"], weights_only=True)
    step = epoch * STEPS_PER_EPOCH
    state["step"] = step
    meta = {**read_meta(source / pointer["weights"]), "step": step}
    weights = load_file(str(run / "generators" / f"{kept}-{epoch:02d}.safetensors"))
    folder = to / "checkpoints"
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"step-{step:06d}"
    save_file({f"generator.{k}": v for k, v in weights.items()},
              str(folder / f"{stem}.safetensors"),
              metadata={"step": str(step), "meta": json.dumps(meta)})
    torch.save(state, folder / f"{stem}.state.pt")
    (folder / "latest.json").write_text(json.dumps(
        {"step": step, "weights": f"{stem}.safetensors", "state": f"{stem}.state.pt"}))
    return to


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loss", choices=["lsgan", "nonsaturating"], required=True)
    parser.add_argument("--lr", type=float, required=True, help="Adam rate of G and D")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--decay-from-epoch", type=int, default=None,
                        help="after this epoch both learning rates fall linearly to 0 at the "
                        "last step (default: constant); a finished run can be continued with "
                        "more --epochs and a decay, since the rate is a function of the step")
    parser.add_argument("--out", type=Path, default=None,
                        help="run folder (default runs/dcgan_long/<loss>-lr<lr>-seed<seed>)")
    parser.add_argument("--ship-epoch", type=int, default=None,
                        help="do not train: make a run folder (--to) of this kept epoch")
    parser.add_argument("--to", type=Path, default=None, help="with --ship-epoch")
    parser.add_argument("--ema", type=float, default=None,
                        help="also keep a moving average of G with this decay per step")
    parser.add_argument("--ship-ema", action="store_true",
                        help="with --ship-epoch: ship the average instead of the live G")
    args = parser.parse_args()
    ema = f"-ema{args.ema:g}" if args.ema else ""
    out = args.out or Path("runs/dcgan_long") / f"{args.loss}-lr{args.lr:g}{ema}-seed{args.seed}"
    if args.ship_epoch is not None:
        kept = "ema" if args.ship_ema else "epoch"
        print(epoch_run_folder(out, args.ship_epoch, args.to or out.with_name(
            f"{out.name}-{kept}{args.ship_epoch}"), kept))
        return 0

    import torch
    from safetensors.torch import save_file

    from course_lib.config import seed_everything
    from course_lib.data.fashion_mnist import fashion_mnist_dataset
    from course_lib.training.gan_task import build_gan_task
    from course_lib.training.gan_trainer import GANTrainer, TrainConfig

    torch.set_num_threads(1)
    steps = args.epochs * STEPS_PER_EPOCH
    decay = args.decay_from_epoch * STEPS_PER_EPOCH if args.decay_from_epoch else None
    config = TrainConfig(steps=steps, batch_size=64, lr_g=args.lr, lr_d=args.lr, seed=args.seed,
                         lr_decay_from=decay, ema_decay=args.ema,
                         device="cpu", precision="fp32", sample_every=STEPS_PER_EPOCH,
                         checkpoint_every=STEPS_PER_EPOCH // 2, progress=False)
    seed_everything(args.seed)
    task = build_gan_task("dcgan", args.loss)
    trainer = GANTrainer(task, fashion_mnist_dataset("train", value_range="symmetric"), config,
                         out_dir=out)
    scores_file = out / "scores.csv"
    done = {int(r["epoch"]) for r in csv.DictReader(scores_file.open())} if (
        scores_file.exists()) else set()
    (out / "generators").mkdir(parents=True, exist_ok=True)
    while trainer.step < steps:
        start = time.process_time()
        epoch = trainer.step // STEPS_PER_EPOCH + 1
        trainer.fit(epoch * STEPS_PER_EPOCH)
        if trainer.stopped:
            print(f"stopped: {trainer.stopped}")
            return 1
        if epoch in done:
            continue
        kept = {"epoch": task.networks["generator"]}
        if args.ema:
            kept["ema"] = trainer.result_generator
        for name, generator in kept.items():
            save_file({k: v.contiguous() for k, v in generator.state_dict().items()},
                      str(out / "generators" / f"{name}-{epoch:02d}.safetensors"))
        row = {"epoch": epoch, "step": trainer.step, **score(kept["epoch"])}
        if args.ema:
            row.update({f"ema_{k}": v for k, v in score(kept["ema"]).items()})
        row["cpu_s"] = round(time.process_time() - start, 1)
        append_row(scores_file, EMA_FIELDS if args.ema else FIELDS, row)
        print(", ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}"
                        for k, v in row.items()), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
