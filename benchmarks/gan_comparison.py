"""Unit 04's claim, measured: LSGAN vs the original (non-saturating) GAN, same DCGAN, equal steps.

Trains the DCGAN of ``course_lib.models.dcgan`` on all 60,000 Fashion-MNIST training images with
the engine's defaults (Adam betas (0.5, 0.999), batch 64, one D step per G step), once per
(loss, seed), for a fixed number of steps. The learning rate is DCGAN's 2e-4 for every loss,
``--lr`` for every loss, or with ``--paper-lr`` each loss's own paper's rate (LSGAN 1e-3).
Then every generator (eval mode) draws ``--samples`` images from fixed noise and is scored
with the course's offline metrics:

- FashionCNN FID against the first ``--samples`` test images (both sets the same size, so the
  small-sample bias of FID is the same for every run);
- class coverage of the samples (classes with >= 2% of them, out of 10) and the KL of the class
  histogram to uniform, in nats.

Runs are resumable folders under ``--out`` (``<loss>-seed<k>``, or ``<loss>-lr<rate>-seed<k>``
for another rate): a finished run is not trained again, so the script can be started once
per run (``--losses lsgan --seeds 0 --train-only``) and once more at the end to score
everything::

    OMP_NUM_THREADS=1 python benchmarks/gan_comparison.py --steps 500 --train-only \
        --losses lsgan --seeds 0
    OMP_NUM_THREADS=1 python benchmarks/gan_comparison.py --steps 500 --write
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import statistics
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
LABELS = {"lsgan": "LSGAN", "nonsaturating": "GAN (non-saturating BCE)", "minimax": "GAN (minimax)"}


DEFAULT_LR = 2e-4  # DCGAN's rate (Radford et al.), the engine's default
# Each paper's own rate (``--paper-lr``): the official LSGAN code trains G and D with Adam(1e-3,
# beta1 0.5); DCGAN, whose loss is the non-saturating GAN's, uses Adam(2e-4, beta1 0.5).
PAPER_LR = {"lsgan": 1e-3, "nonsaturating": 2e-4, "minimax": 2e-4}


def run_dir(out: Path, loss: str, seed: int, lr: float = DEFAULT_LR) -> Path:
    """``<loss>-seed<k>``, or ``<loss>-lr<rate>-seed<k>`` for a rate other than 2e-4."""
    rate = "" if lr == DEFAULT_LR else f"-lr{lr:g}"
    return out / f"{loss}{rate}-seed{seed}"


def train(out: Path, arch: str, loss: str, seed: int, steps: int, batch_size: int,
          lr: float = DEFAULT_LR, model: dict | None = None) -> float:
    """Train one run to ``steps`` (or finish it); returns the seconds this call trained."""
    from course_lib.training.gan_run import train_fashion_gan
    from course_lib.training.gan_trainer import TrainConfig

    folder = run_dir(out, loss, seed, lr)
    if (folder / "checkpoints" / "latest.json").exists() and generator_step(folder) >= steps:
        return 0.0  # finished earlier: nothing to train, nothing to add to its timing
    config = TrainConfig(steps=steps, batch_size=batch_size, seed=seed, device="cpu",
                         precision="fp32", lr_g=lr, lr_d=lr, sample_every=max(steps // 4, 1),
                         checkpoint_every=500, progress=False)
    start, cpu_start = time.perf_counter(), time.process_time()
    trainer = train_fashion_gan(arch, loss, folder, config, model=model)
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    if trainer.stopped:
        raise RuntimeError(f"{folder}: {trainer.stopped}")
    timing = folder / "train_seconds.json"
    done = json.loads(timing.read_text()) if timing.exists() else {"seconds": 0.0, "cpu": 0.0}
    done["seconds"] += seconds
    done["cpu"] = None if done.get("cpu") is None else done["cpu"] + cpu
    done["steps"] = trainer.step
    timing.write_text(json.dumps(done))
    return seconds


def score(out: Path, loss: str, seed: int, n: int, lr: float = DEFAULT_LR) -> dict:
    """FID (n samples vs the first n test images) and class coverage of one trained generator."""
    from course_lib.metrics.generator_scores import score_generator
    from course_lib.models.fashion_gan import generator_from_checkpoint

    folder = run_dir(out, loss, seed, lr)
    scores = score_generator(generator_from_checkpoint(folder), n)
    timing_file = folder / "train_seconds.json"
    timing = json.loads(timing_file.read_text()) if timing_file.exists() else {}
    return {"loss": loss, "lr": lr, "seed": seed, "steps": generator_step(folder),
            "train_s": timing.get("seconds"), "cpu_s": timing.get("cpu"),
            "fid": scores["fid"], "covered": scores["covered"], "kl": scores["kl_to_uniform"],
            "n": n}


def generator_step(folder: Path) -> int:
    """The step of the newest checkpoint in a run folder."""
    return json.loads((folder / "checkpoints" / "latest.json").read_text())["step"]


def _seconds(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def label(row: dict) -> str:
    """``LSGAN, Adam 0.001``: the loss and the learning rate of a run."""
    return f"{LABELS[row['loss']]}, Adam {row['lr']:g}"


def groups(rows: list[dict]) -> dict[str, list[dict]]:
    """The rows of each (loss, learning rate), in order of appearance."""
    out: dict[str, list[dict]] = {}
    for r in rows:
        out.setdefault(label(r), []).append(r)
    return out


def summary(mine: list[dict]) -> dict:
    """Mean FID (and its sd), mean classes covered, mean KL and the worst seed's figures."""
    fids = [r["fid"] for r in mine]
    return {"fid": statistics.mean(fids),
            "sd": statistics.stdev(fids) if len(fids) > 1 else 0.0,
            "covered": statistics.mean(r["covered"] for r in mine),
            "kl": statistics.mean(r["kl"] for r in mine),
            "min_covered": min(r["covered"] for r in mine), "max_kl": max(r["kl"] for r in mine)}


def table(rows: list[dict]) -> str:
    lines = [f"{'loss':34s} {'seed':>4s} {'steps':>6s} {'FID':>8s} {'classes':>7s} "
             f"{'KL':>6s} {'wall s':>7s} {'cpu s':>6s}"]
    for r in rows:
        lines.append(f"{label(r):34s} {r['seed']:4d} {r['steps']:6d} {r['fid']:8.1f} "
                     f"{r['covered']:4d}/10 {r['kl']:6.3f} {_seconds(r['train_s']):>7s} "
                     f"{_seconds(r['cpu_s']):>6s}")
    for name, mine in groups(rows).items():
        m = summary(mine)
        lines.append(f"{name + ' mean':34s} {len(mine):4d} {mine[0]['steps']:6d} "
                     f"{m['fid']:8.1f} {m['covered']:7.1f} {m['kl']:6.3f}  (FID sd {m['sd']:.1f};"
                     f" worst seed {m['min_covered']}/10, KL {m['max_kl']:.3f})")
    return "\n".join(lines)


def write_rows(rows: list[dict], args: argparse.Namespace) -> None:
    date = datetime.date.today().isoformat()
    rates = " --paper-lr" if args.paper_lr else (f" --lr {args.lr:g}" if args.lr else "")
    command = (f"OMP_NUM_THREADS=1 python benchmarks/gan_comparison.py --steps {args.steps} "
               f"--batch-size {args.batch_size} --seeds {' '.join(map(str, args.seeds))} "
               f"--losses {' '.join(args.losses)}{rates} --samples {args.samples}"
               + (" --no-g-batch-norm" if args.no_g_batch_norm else ""))
    machine = f"CPU, {os.cpu_count()} cores, 1 torch thread per run, no GPU"
    no_bn = ", no batch norm in G" if args.no_g_batch_norm else ""
    profile = (f"full comparison: DCGAN{no_bn}, {args.steps} steps x batch {args.batch_size}, "
               "60,000 train images, Adam betas (0.5, 0.999)")
    n = args.samples
    lines = []
    for r in rows:
        lines.append(
            f"| DCGAN{no_bn} + {label(r)}, seed {r['seed']}: FashionCNN FID ({n} samples vs "
            f"first {n} test images) / class coverage / KL to uniform | {r['fid']:.1f} / "
            f"{r['covered']}/10 / {r['kl']:.3f} nats (trained in {_seconds(r['train_s'])} s wall, "
            f"{_seconds(r['cpu_s'])} s CPU) | "
            f"{command} | {profile} | {machine} | {date} |\n")
    for name, mine in groups(rows).items():
        m = summary(mine)
        lines.append(
            f"| DCGAN{no_bn} + {name}: mean over seeds {[r['seed'] for r in mine]}: FID / "
            f"classes covered / KL | {m['fid']:.1f} (sd {m['sd']:.1f}) / "
            f"{m['covered']:.1f}/10 / {m['kl']:.3f} nats (worst seed {m['min_covered']}/10, "
            f"KL {m['max_kl']:.3f}) | {command} | {profile} | {machine} | {date} |\n")
    with RESULTS.open("a") as f:
        f.writelines(lines)
    print(f"appended {len(lines)} rows to {RESULTS}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=500)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--losses", nargs="+", default=["lsgan", "nonsaturating"],
                        choices=sorted(LABELS))
    rates = parser.add_mutually_exclusive_group()
    rates.add_argument("--lr", type=float, default=None,
                       help=f"one Adam learning rate for G and D of every run (default "
                            f"{DEFAULT_LR:g})")
    rates.add_argument("--paper-lr", action="store_true",
                       help="each loss with its paper's rate: " + ", ".join(
                           f"{k} {v:g}" for k, v in PAPER_LR.items()))
    parser.add_argument("--arch", default="dcgan", choices=["dcgan", "mlp"])
    parser.add_argument("--samples", type=int, default=2000, help="generated = real images")
    parser.add_argument("--no-g-batch-norm", action="store_true",
                        help="DCGAN without batch norm in G (Mao et al.'s harder setting)")
    parser.add_argument("--out", type=Path, default=None,
                        help="runs folder (default runs/gan_comparison, or "
                        "runs/gan_comparison_no_g_bn with --no-g-batch-norm)")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--train-only", action="store_true", help="train, do not score")
    parser.add_argument("--write", action="store_true", help="append rows to RESULTS.md")
    parser.add_argument("--json", type=Path, default=None, help="also save the scores here")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    model = {"g_batch_norm": False} if args.no_g_batch_norm else None
    args.out = args.out or Path("runs/gan_comparison" + ("_no_g_bn" if model else ""))
    runs = [(loss, PAPER_LR[loss] if args.paper_lr else (args.lr or DEFAULT_LR))
            for loss in args.losses]
    for loss, lr in runs:
        for seed in args.seeds:
            seconds = train(args.out, args.arch, loss, seed, args.steps, args.batch_size, lr,
                            model)
            print(f"{loss} (Adam {lr:g}) seed {seed}: trained {seconds:.0f} s in this call",
                  flush=True)
    if args.train_only:
        return 0
    rows = [score(args.out, loss, seed, args.samples, lr)
            for loss, lr in runs for seed in args.seeds]
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1))
    if args.write:
        write_rows(rows, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
