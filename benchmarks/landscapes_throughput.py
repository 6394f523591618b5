"""Landscapes rendering throughput on one CPU core (scenes per second, median of runs).

Run pinned to one core so the figure does not depend on BLAS threads:

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        taskset -c 0 python benchmarks/landscapes_throughput.py

Each size renders a warm-up scene (fills the noise banks of that size), then ``--runs`` runs
of consecutive seeds; the median run is reported. Targets: >= 300 scenes/s at 64 px and
>= 30 scenes/s at 256 px.

On a busy machine the wall clock mostly measures how often the scheduler lets the process
run; ``--clock cpu`` divides by the CPU time the process itself used (``time.process_time``)
instead, which is far less sensitive to other load (caches are still shared, so it is not
immune). Quote which clock a figure used.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

from course_lib.data.landscapes import render

TARGETS = {64: 300.0, 256: 30.0}


def throughput(size: int, scenes: int, runs: int, clock=time.perf_counter) -> list[float]:
    """Scenes per second of ``runs`` runs of ``scenes`` renders at ``size``."""
    render(10_000_000, size)  # warm-up: noise banks of this size
    rates = []
    for r in range(runs):
        start = clock()
        for seed in range(r * scenes, (r + 1) * scenes):
            render(seed, size)
        rates.append(scenes / (clock() - start))
    return rates


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[32, 64, 128, 256])
    parser.add_argument("--seconds", type=float, default=2.0, help="rough length of one run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall",
                        help="wall: elapsed time (default); cpu: this process's CPU time")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    affinity = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print(f"# {platform.processor() or platform.machine()}, cores usable: {affinity}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, clock: {args.clock}")
    for size in args.sizes:
        probe = throughput(size, 10, 1, clock)[0]
        scenes = max(10, int(probe * args.seconds))
        rates = throughput(size, scenes, args.runs, clock)
        target = TARGETS.get(size)
        met = target is not None and statistics.median(rates) >= target
        word = "met" if met else "NOT met"
        verdict = "" if target is None else f" (target >= {target:g}: {word})"
        print(f"{size:4d} px: median {statistics.median(rates):7.1f} scenes/s over {args.runs} "
              f"runs of {scenes} (min {min(rates):.1f}, max {max(rates):.1f}){verdict}")


if __name__ == "__main__":
    main()
