"""Step time and peak memory of the unit 03-04 GANs on CPU: eager vs channels_last vs compile.

One step is what ``GANTrainer`` does per step: a discriminator update then a generator update
(batch 64, fp32). Each configuration runs in a fresh Python process, so that its peak memory
is its own: memory is the growth of the process's maximum resident set size
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``) from just before the trainer is built to the
end of the timed steps, i.e. weights, optimizer state, activations and (for compile) the
compiled code. Times are medians over ``--repeats`` runs of ``--steps`` steps each, after
warm-up steps (for compile: after the first steps, which compile; their time is reported too).
Both the wall clock and the process's CPU time are reported, with the load average: on a
shared machine the wall clock mostly measures the other processes, the CPU time much less.

    python benchmarks/gan_step_time.py                  # print the table
    python benchmarks/gan_step_time.py --write          # and append rows to RESULTS.md
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

RESULTS = Path(__file__).with_name("RESULTS.md")
HEADER = ("| figure | value | command | profile | machine | date |\n"
          "| --- | --- | --- | --- | --- | --- |\n")
MODES = {"eager": {}, "channels_last": {"channels_last": True}, "compile": {"compile": True}}


def measure(arch: str, mode: str, steps: int, repeats: int, warmup: int, threads: int) -> dict:
    """Run inside the child process: build a trainer, time its steps, report as a dict."""
    import torch

    if threads:
        torch.set_num_threads(threads)
    from torch.utils.data import TensorDataset

    from course_lib.training.gan_task import build_gan_task
    from course_lib.training.gan_trainer import GANTrainer, TrainConfig

    torch.manual_seed(0)
    data = TensorDataset(torch.rand(64 * 8, 1, 28, 28) * 2 - 1)
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    task = build_gan_task(arch, "lsgan" if arch == "dcgan" else "nonsaturating")
    config = TrainConfig(batch_size=64, precision="fp32", device="cpu", progress=False,
                         **MODES[mode])
    trainer = GANTrainer(task, data, config)
    batches = trainer._batches()
    start = time.perf_counter()
    for _ in range(warmup):
        trainer._train_step(batches)
    warmup_s = time.perf_counter() - start
    times, cpu_times = [], []
    load_before = os.getloadavg()[0]
    for _ in range(repeats):
        start, cpu_start = time.perf_counter(), time.process_time()
        for _ in range(steps):
            trainer._train_step(batches)
        times.append((time.perf_counter() - start) / steps)
        cpu_times.append((time.process_time() - cpu_start) / steps)
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"arch": arch, "mode": mode, "step_ms": 1000 * statistics.median(times),
            "spread_ms": 1000 * (max(times) - min(times)), "warmup_s": warmup_s,
            "cpu_ms": 1000 * statistics.median(cpu_times),
            "cpu_spread_ms": 1000 * (max(cpu_times) - min(cpu_times)),
            "load": (load_before + os.getloadavg()[0]) / 2,
            "peak_rss_mib": (rss_after - rss_before) / 1024, "threads": torch.get_num_threads()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--arch", nargs="+", default=["mlp", "dcgan"])
    parser.add_argument("--modes", nargs="+", default=list(MODES))
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--threads", type=int, default=0,
                        help="torch threads (0: PyTorch's default, one per core)")
    parser.add_argument("--write", action="store_true", help="append rows to RESULTS.md")
    parser.add_argument("--note", default="", help="added to the machine column")
    parser.add_argument("--child", nargs=2, metavar=("ARCH", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(*args.child, args.steps, args.repeats, args.warmup,
                                 args.threads)))
        return 0

    rows = []
    for arch in args.arch:
        for mode in args.modes:
            command = [sys.executable, __file__, "--child", arch, mode, "--steps",
                       str(args.steps), "--repeats", str(args.repeats), "--warmup",
                       str(args.warmup), "--threads", str(args.threads)]
            out = subprocess.run(command, capture_output=True, text=True, check=True)
            rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
            r = rows[-1]
            print(f"{arch:6s} {mode:14s} {r['step_ms']:8.1f} ms/step (spread {r['spread_ms']:.1f})"
                  f"  CPU {r['cpu_ms']:7.1f} ms/step (spread {r['cpu_spread_ms']:.1f})"
                  f"  warm-up {r['warmup_s']:6.1f} s  peak RSS +{r['peak_rss_mib']:.0f} MiB"
                  f"  load avg {r['load']:.1f}", flush=True)
    if args.write:
        machine = f"CPU, {os.cpu_count()} cores, {rows[0]['threads']} threads, no GPU"
        machine += f"; {args.note}" if args.note else ""
        command = (f"python benchmarks/gan_step_time.py --arch {' '.join(args.arch)} --modes "
                   f"{' '.join(args.modes)} --steps {args.steps} --repeats {args.repeats} "
                   f"--warmup {args.warmup} --threads {args.threads}")
        date = datetime.date.today().isoformat()
        lines = []
        for r in rows:
            what = f"{r['arch']} GAN step (D+G, batch 64, fp32, {r['mode']})"
            lines.append(f"| {what}: median step time, wall clock / CPU time of the process "
                         f"(max-min spread over {args.repeats} runs) | {r['step_ms']:.1f} ms "
                         f"(spread {r['spread_ms']:.1f}) / {r['cpu_ms']:.1f} ms (spread "
                         f"{r['cpu_spread_ms']:.1f}); warm-up {r['warmup_s']:.1f} s | {command} | "
                         f"n/a (CPU benchmark) | {machine}; load avg {r['load']:.1f} | {date} |\n")
            lines.append(f"| {what}: peak RSS growth (ru_maxrss) | {r['peak_rss_mib']:.0f} MiB | "
                         f"{command} | n/a | {machine} | {date} |\n")
        if not RESULTS.exists():
            RESULTS.write_text("# Benchmark results\n\n" + HEADER)
        with RESULTS.open("a") as f:
            f.writelines(lines)
        print(f"appended {len(lines)} rows to {RESULTS}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
