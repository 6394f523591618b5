"""Training an image classifier in PyTorch: the explicit loop that Keras's ``fit`` hides.

One step is always the same five lines: forward pass, loss, zero the old gradients, backward
pass, optimizer step. ``train_step`` is exactly that; ``evaluate`` measures loss and accuracy
without gradients; ``fit_classifier`` repeats them for a few epochs and returns the history
as a DataFrame, like ``pd.DataFrame(history.history)`` in Keras.

``train_fashion_cnn`` is what ``course train fashion-cnn`` runs to make the shipped checkpoint.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn
from torch.utils.data import DataLoader, TensorDataset


def train_step(model: nn.Module, images: torch.Tensor, labels: torch.Tensor,
               optimizer: torch.optim.Optimizer) -> float:
    """One optimisation step on one batch; returns the batch's loss as a Python float."""
    model.train()  # dropout on, batch norm uses (and updates) batch statistics
    logits = model(images)
    loss = F.cross_entropy(logits, labels)
    optimizer.zero_grad()  # gradients accumulate in PyTorch unless cleared
    loss.backward()
    optimizer.step()
    return loss.item()


@torch.no_grad()
def evaluate(model: nn.Module, loader: DataLoader, device: torch.device | str = "cpu"
             ) -> tuple[float, float]:
    """Mean cross-entropy and accuracy over a data loader, in eval mode and without gradients."""
    model.eval()  # dropout off, batch norm uses its running statistics
    total_loss, correct, count = 0.0, 0, 0
    for images, labels in loader:
        images, labels = images.to(device), labels.to(device)
        logits = model(images)
        total_loss += F.cross_entropy(logits, labels, reduction="sum").item()
        correct += (logits.argmax(dim=1) == labels).sum().item()
        count += len(labels)
    return total_loss / max(count, 1), correct / max(count, 1)


def random_hflip(images: torch.Tensor, generator: torch.Generator | None = None) -> torch.Tensor:
    """Mirror a random half of the batch left-right (clothes stay clothes when mirrored)."""
    flip = torch.rand(len(images), generator=generator) < 0.5
    return torch.where(flip.view(-1, 1, 1, 1).to(images.device), images.flip(-1), images)


@dataclass
class ClassifierTrainConfig:
    """How the shipped FashionCNN was trained (AdamW with a one-cycle learning-rate schedule)."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 3e-3  # peak learning rate of the one-cycle schedule
    weight_decay: float = 1e-4
    hflip: bool = True  # random left-right mirroring as data augmentation
    seed: int = 0
    limit: int | None = None  # train on at most this many images (None: all)
    device: str | None = None  # None: the best found
    threads: int | None = None  # CPU threads (None: PyTorch's choice)


def _open_epoch(loader: DataLoader):
    """An iterator over one epoch of ``loader``, after a first one left unused: the shipped
    FashionCNN was trained with tqdm.auto wrapping the loader, which opens (and drops) an
    iterator, so the shuffle's generator advanced once more per epoch. Kept for the recipe."""
    iter(loader)
    return iter(loader)


def _epoch_batches(loader: DataLoader, generator: torch.Generator, state: dict, done: int):
    """The loader's batches of the current epoch after the first ``done``, with ``generator``
    as it was after them: resuming mid-epoch replays the epoch's shuffle exactly."""
    now = generator.get_state()
    generator.set_state(state["epoch_rng"])
    batches = _open_epoch(loader)
    for _ in range(done):
        next(batches)
    generator.set_state(now)
    return batches


def fit_classifier(model: nn.Module, train: TensorDataset, valid: TensorDataset,
                   config: ClassifierTrainConfig | None = None,
                   device: torch.device | str = "cpu", progress: bool = True,
                   run: str | Path | None = None) -> pd.DataFrame:
    """Train ``model`` for ``config.epochs`` epochs; one history row per epoch.

    Columns: loss (mean over the epoch's training batches, with dropout and augmentation on),
    val_loss, val_accuracy (on ``valid``, in eval mode) and seconds. With a ``run`` folder,
    Ctrl-C saves a checkpoint there and the same call resumes from it.
    """
    from course_lib.training.loop import SupervisedRun

    config = config or ClassifierTrainConfig()
    generator = torch.Generator().manual_seed(config.seed)
    loader = DataLoader(train, batch_size=config.batch_size, shuffle=True, generator=generator,
                        drop_last=True)
    valid_loader = DataLoader(valid, batch_size=1000)
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr,
                                  weight_decay=config.weight_decay)
    schedule = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=config.lr, epochs=config.epochs, steps_per_epoch=len(loader))
    settings = {k: getattr(config, k) for k in config.__dataclass_fields__ if k != "device"}
    loop = SupervisedRun(run, config.epochs * len(loader), model, optimizer, schedule,
                         generator, settings={**settings, "train_images": len(train)},
                         desc="FashionCNN", progress=progress)
    s, batches, started = loop.state, None, time.perf_counter()
    for step in loop.steps():
        epoch, i = divmod(step, len(loader))
        epoch += 1
        if i == 0:
            s.update(epoch_rng=generator.get_state(), losses=0.0, seen=0)
            batches, started = _open_epoch(loader), time.perf_counter()
        elif batches is None:  # resumed in the middle of an epoch
            batches = _epoch_batches(loader, generator, s, i)
        images, labels = next(batches)
        images, labels = images.to(device), labels.to(device)
        if config.hflip:
            images = random_hflip(images, generator)
        loss = train_step(model, images, labels, optimizer)
        schedule.step()
        if not torch.isfinite(torch.tensor(loss)):
            raise FloatingPointError(
                f"The loss became {loss} in epoch {epoch}: lower the learning rate.")
        s["losses"] += loss * len(labels)
        s["seen"] += len(labels)
        if i == len(loader) - 1:
            next(batches, None)  # the end of the epoch, which draws the sampler's next shuffle
            val_loss, val_acc = evaluate(model, valid_loader, device)
            loop.history.append({"loss": s["losses"] / s["seen"], "val_loss": val_loss,
                                 "val_accuracy": val_acc,
                                 "seconds": time.perf_counter() - started})
            if progress:
                print(f"epoch {epoch}: loss {s['losses'] / s['seen']:.4f}  val_loss "
                      f"{val_loss:.4f}  val_accuracy {val_acc:.4f}  "
                      f"({loop.history[-1]['seconds']:.0f} s)")
    frame = pd.DataFrame(loop.history)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
    return frame


def train_fashion_cnn(out: str | Path | None = None, config: ClassifierTrainConfig | None = None,
                      n_valid: int = 5_000, command: str = "", progress: bool = True,
                      run: str | Path | None = None) -> dict:
    """Train FashionCNN on Fashion-MNIST, measure test accuracy, save a checkpoint.

    As in unit 01, the first ``n_valid`` training images are the validation set and the rest
    (``config.limit`` of them at most) are trained on; the test set is used once, at the end.
    ``run``: the folder of the interrupt-safe checkpoint. Returns the metadata written to the
    JSON sidecar.
    """
    import datetime

    from course_lib.data.fashion_mnist import fashion_mnist_dataset
    from course_lib.models.fashion_cnn import (
        CHECKPOINT,
        FashionCNN,
        load_fashion_cnn,
        save_fashion_cnn,
    )
    from course_lib.models.weights_file import guard_write
    from course_lib.training.loop import setup

    path = Path(out) if out is not None else CHECKPOINT
    guard_write(path)  # refuse before training
    config = config or ClassifierTrainConfig()
    device = setup(config.seed, config.threads, config.device)
    full = fashion_mnist_dataset("train")
    images, labels = full.tensors
    valid = TensorDataset(images[:n_valid], labels[:n_valid])
    stop = None if config.limit is None else n_valid + config.limit
    train = TensorDataset(images[n_valid:stop], labels[n_valid:stop])
    test_loader = DataLoader(fashion_mnist_dataset("test"), batch_size=1000)
    model = FashionCNN()
    start = time.perf_counter()
    history = fit_classifier(model, train, valid, config, device=device, progress=progress,
                             run=run)
    train_seconds = time.perf_counter() - start
    model.cpu()
    test_loss, test_acc = evaluate(model, test_loader)
    metadata = {
        "command": command,
        "seed": config.seed,
        "train_config": {k: getattr(config, k) for k in config.__dataclass_fields__},
        "train_images": len(train),
        "valid_images": len(valid),
        "date": datetime.date.today().isoformat(),
        "device": str(device),
        "threads": torch.get_num_threads(),
        "train_seconds": round(train_seconds, 1),
        "val_accuracy": round(float(history["val_accuracy"].iloc[-1]), 4),
        "test_loss_fp32": round(test_loss, 4),
        "test_accuracy_fp32": round(test_acc, 4),
        "torch": torch.__version__,
    }
    save_fashion_cnn(model, path, metadata)
    # Re-measure after the fp16 round trip: this is the figure the tests check.
    _, metadata["test_accuracy"] = evaluate(load_fashion_cnn(path), test_loader)
    metadata["test_accuracy"] = round(metadata["test_accuracy"], 4)
    save_fashion_cnn(model, path, metadata)
    return metadata
