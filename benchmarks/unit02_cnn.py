"""Unit 02 benchmark: the Keras CNN and the PyTorch FashionCNN on Fashion-MNIST, on a CPU.

Both train on the 55,000 training images after the first 5,000 (kept for validation) and are
scored once on the 10,000 test images; one JSON line per run:

    python benchmarks/unit02_cnn.py keras --epochs 8 --seed 0
    python benchmarks/unit02_cnn.py keras --epochs 8 --seed 0 --lr 2e-3 --cosine
    python benchmarks/unit02_cnn.py torch --epochs 12 --seed 0 --out /tmp/fashion_cnn.safetensors
    python benchmarks/unit02_cnn.py fid

``torch`` runs exactly what ``course train fashion-cnn`` runs. ``fid`` measures the reference
floor of the metrics with the shipped checkpoint: FID of the real test set against the real
training set, FID of uniform noise, and class coverage of the real test images.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time


def cpu_seconds() -> float:
    """CPU time used by this process so far (user + system, all threads).

    On a machine shared with other jobs the wall time depends on the neighbours; CPU time
    divided by the cores used estimates what the run would take on its own.
    """
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def run_keras(epochs: int, seed: int, batch_size: int = 128, lr: float = 1e-3,
              cosine: bool = False) -> dict:
    import keras

    from course_lib.config import seed_everything
    from course_lib.data import load_fashion_mnist
    from course_lib.models.cnn_keras import build_cnn_classifier, compile_cnn

    (x_full, y_full), (x_test, y_test) = load_fashion_mnist()
    x_valid, x_train = x_full[:5000] / 255.0, x_full[5000:] / 255.0
    y_valid, y_train = y_full[:5000], y_full[5000:]
    seed_everything(seed)
    steps = epochs * (len(x_train) // batch_size + (len(x_train) % batch_size > 0))
    model = compile_cnn(build_cnn_classifier(), lr, decay_steps=steps if cosine else None)
    start, cpu_start = time.perf_counter(), cpu_seconds()
    history = model.fit(x_train, y_train, epochs=epochs, batch_size=batch_size,
                        validation_data=(x_valid, y_valid), verbose=2)
    seconds, cpu = time.perf_counter() - start, cpu_seconds() - cpu_start
    test_loss, test_accuracy = model.evaluate(x_test / 255.0, y_test, verbose=0)
    return {"model": "keras_cnn", "epochs": epochs, "seed": seed, "lr": lr, "cosine": cosine,
            "train_seconds": round(seconds, 1), "train_cpu_seconds": round(cpu, 1),
            "val_accuracy": round(history.history["val_accuracy"][-1], 4),
            "test_accuracy": round(float(test_accuracy), 4), "test_loss": round(test_loss, 4),
            "params": model.count_params(), "keras": keras.__version__,
            "cores": os.cpu_count()}


def run_torch(epochs: int, seed: int, out: str) -> dict:
    import torch

    from course_lib.training.classifier import ClassifierTrainConfig, train_fashion_cnn

    torch.set_num_threads(min(2, os.cpu_count() or 2))
    command = f"course train fashion-cnn --epochs {epochs} --seed {seed} --out {out}"
    cpu_start = cpu_seconds()
    meta = train_fashion_cnn(out, ClassifierTrainConfig(epochs=epochs, seed=seed, device="cpu"),
                             command=command, progress=False)
    return {"model": "fashion_cnn", "epochs": epochs, "seed": seed,
            "cpu_seconds_incl_eval": round(cpu_seconds() - cpu_start, 1),
            **{k: meta[k] for k in ("train_seconds", "val_accuracy", "test_accuracy")},
            "torch": torch.__version__, "cores": os.cpu_count()}


def run_fid() -> dict:
    import numpy as np

    from course_lib.data import load_fashion_mnist
    from course_lib.metrics import class_coverage, fashion_fid

    (x_train, y_train), (x_test, _) = load_fashion_mnist()
    rng = np.random.default_rng(0)
    noise = rng.random((10_000, 28, 28), dtype=np.float32)
    one_class = x_train[y_train == 0][:5_000]  # what a collapsed generator would produce
    start = time.perf_counter()
    result = {
        "fid_test_vs_train": round(fashion_fid(x_test, x_train), 3),
        "fid_train5k_vs_test": round(fashion_fid(x_train[:5_000], x_test), 3),
        "fid_noise_vs_test": round(fashion_fid(noise, x_test), 1),
        "fid_one_class_vs_test": round(fashion_fid(one_class, x_test), 1),
    }
    test_coverage = class_coverage(x_test)
    result.update(coverage_test=test_coverage.covered,
                  kl_test=round(test_coverage.kl_to_uniform, 4),
                  coverage_noise=class_coverage(noise).covered,
                  kl_noise=round(class_coverage(noise).kl_to_uniform, 3),
                  coverage_one_class=class_coverage(one_class).covered,
                  seconds=round(time.perf_counter() - start, 1))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["keras", "torch", "fid"])
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", default="/tmp/fashion_cnn_benchmark.safetensors")
    parser.add_argument("--lr", type=float, default=1e-3, help="Keras: Adam learning rate")
    parser.add_argument("--cosine", action="store_true",
                        help="Keras: cosine decay of the learning rate to zero over training")
    args = parser.parse_args()
    if args.what == "keras":
        result = run_keras(args.epochs, args.seed, lr=args.lr, cosine=args.cosine)
    elif args.what == "torch":
        result = run_torch(args.epochs, args.seed, args.out)
    else:
        result = run_fid()
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
