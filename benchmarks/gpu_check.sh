#!/usr/bin/env bash
# GPU check of the course's GAN training engine (units 03-04): DCGAN step time and peak memory
# on CUDA for fp32 / bf16 autocast / fp16 + GradScaler, channels_last off/on, torch.compile off/on.
#
# Run from a copy of the repository on a CUDA machine (no .venv needed):
#     bash /path/to/gpu_check.sh [REPO_DIR]
# Needs: python with a CUDA build of torch (>= 2.2; compile needs triton, which CUDA wheels
# ship), numpy, pandas, safetensors, tqdm. Nothing is downloaded; no data set is needed
# (random images stand in for Fashion-MNIST: step time does not depend on pixel values).
# Knobs (environment): BATCHES="64 512" STEPS=200 WARMUP=20 COMPILE="0 1" PRECISIONS="fp32 bf16 fp16"
# A markdown table goes to stdout and, row by row, to $OUT/gpu_check.md if $OUT is set.
# Expect about 5-8 minutes on an H100 with the defaults, most of it compiling (12 compiled
# settings); COMPILE=0 takes about a minute.
set -euo pipefail
REPO="${1:-.}"
cd "$REPO"
export PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"
python - <<'PY'
import importlib, os, statistics, sys, time
missing = [m for m in ("torch", "numpy", "pandas", "safetensors", "tqdm")
           if importlib.util.find_spec(m) is None]
if missing:
    sys.exit(f"missing Python packages: {' '.join(missing)} (pip install them, then rerun)")
import torch
from torch.utils.data import TensorDataset
from course_lib.training.gan_task import build_gan_task
from course_lib.training.gan_trainer import GANTrainer, TrainConfig

if not torch.cuda.is_available():
    sys.exit("no CUDA device visible to torch")
batches = [int(b) for b in os.environ.get("BATCHES", "64 512").split()]
steps, warmup = int(os.environ.get("STEPS", "200")), int(os.environ.get("WARMUP", "20"))
compiles = [c == "1" for c in os.environ.get("COMPILE", "0 1").split()]
precisions = os.environ.get("PRECISIONS", "fp32 bf16 fp16").split()
torch.backends.cudnn.benchmark = True
name = torch.cuda.get_device_name()
head = (f"DCGAN (LSGAN loss) on {name}, torch {torch.__version__}; one step = D update + G update; "
        f"median of 5 timed blocks of {steps // 5} steps after {warmup} warm-up steps")
lines = [head, "", "| batch | precision | channels_last | compile | ms/step | images/s | "
         "peak MiB (max_memory_allocated) | warm-up s | last d_loss | last g_loss |",
         "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
print("\n".join(lines), flush=True)
report = os.path.join(os.environ["OUT"], "gpu_check.md") if os.environ.get("OUT") else None
if report:
    with open(report, "w") as f:
        f.write("\n".join(lines) + "\n")
for batch in batches:
    for precision in precisions:
        for channels_last in (False, True):
            for compile_ in compiles:
                torch.manual_seed(0)
                torch.cuda.empty_cache()
                torch.cuda.reset_peak_memory_stats()
                data = TensorDataset(torch.rand(batch * 16, 1, 28, 28) * 2 - 1)
                task = build_gan_task("dcgan", "lsgan")
                config = TrainConfig(batch_size=batch, precision=precision, device="cuda",
                                     channels_last=channels_last, compile=compile_,
                                     progress=False, sample_every=0)
                try:
                    trainer = GANTrainer(task, data, config)
                    it = trainer._batches()
                    torch.cuda.synchronize(); t0 = time.perf_counter()
                    for _ in range(warmup):
                        values = trainer._train_step(it)
                    torch.cuda.synchronize(); warm = time.perf_counter() - t0
                    block, times = max(1, steps // 5), []
                    for _ in range(5):
                        torch.cuda.synchronize(); t0 = time.perf_counter()
                        for _ in range(block):
                            values = trainer._train_step(it)
                        torch.cuda.synchronize()
                        times.append((time.perf_counter() - t0) / block)
                    ms = 1000 * statistics.median(times)
                    peak = torch.cuda.max_memory_allocated() / 2**20
                    row = (f"| {batch} | {precision} | {channels_last} | {compile_} | {ms:.2f} | "
                           f"{batch / ms * 1000:,.0f} | {peak:.0f} | {warm:.1f} | "
                           f"{values['d_loss']:.4f} | {values['g_loss']:.4f} |")
                except Exception as err:  # report and go on with the other settings
                    row = (f"| {batch} | {precision} | {channels_last} | {compile_} | failed: "
                           f"{type(err).__name__}: {str(err)[:120]} | | | | | |")
                print(row, flush=True)
                if report:  # row by row, so a run cut short still leaves its table
                    with open(report, "a") as f:
                        f.write(row + "\n")
PY
