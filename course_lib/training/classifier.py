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


def fit_classifier(model: nn.Module, train: TensorDataset, valid: TensorDataset,
                   config: ClassifierTrainConfig | None = None,
                   device: torch.device | str = "cpu", progress: bool = True) -> pd.DataFrame:
    """Train ``model`` for ``config.epochs`` epochs; one history row per epoch.

    Columns: loss (mean over the epoch's training batches, with dropout and augmentation on),
    val_loss, val_accuracy (on ``valid``, in eval mode) and seconds.
    """
    from tqdm.auto import tqdm

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
    rows = []
    for epoch in range(1, config.epochs + 1):
        start, losses, seen = time.perf_counter(), 0.0, 0
        bar = tqdm(loader, desc=f"epoch {epoch}/{config.epochs}", leave=False,
                   disable=not progress)
        for images, labels in bar:
            images, labels = images.to(device), labels.to(device)
            if config.hflip:
                images = random_hflip(images, generator)
            loss = train_step(model, images, labels, optimizer)
            schedule.step()
            if not torch.isfinite(torch.tensor(loss)):
                raise FloatingPointError(
                    f"The loss became {loss} in epoch {epoch}: lower the learning rate.")
            losses += loss * len(labels)
            seen += len(labels)
            bar.set_postfix(loss=f"{losses / seen:.3f}")
        val_loss, val_acc = evaluate(model, valid_loader, device)
        rows.append({"loss": losses / seen, "val_loss": val_loss, "val_accuracy": val_acc,
                     "seconds": time.perf_counter() - start})
        if progress:
            print(f"epoch {epoch}: loss {losses / seen:.4f}  val_loss {val_loss:.4f}  "
                  f"val_accuracy {val_acc:.4f}  ({rows[-1]['seconds']:.0f} s)")
    frame = pd.DataFrame(rows)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
    return frame


def train_fashion_cnn(out: str | Path | None = None, config: ClassifierTrainConfig | None = None,
                      n_valid: int = 5_000, limit: int | None = None,
                      device: torch.device | str | None = None, command: str = "",
                      progress: bool = True) -> dict:
    """Train FashionCNN on Fashion-MNIST, measure test accuracy, save a checkpoint.

    As in unit 01, the first ``n_valid`` training images are the validation set and the rest
    (``limit`` of them at most) are trained on; the test set is used once, at the end.
    Returns the metadata written to the JSON sidecar.
    """
    import datetime

    from course_lib.config import pick_device, seed_everything
    from course_lib.data.fashion_mnist import fashion_mnist_dataset
    from course_lib.models.fashion_cnn import CHECKPOINT, FashionCNN, save_fashion_cnn
    from course_lib.models.weights_file import guard_write

    guard_write(Path(out) if out is not None else CHECKPOINT)  # refuse before training
    config = config or ClassifierTrainConfig()
    device = pick_device(device)
    seed_everything(config.seed)
    full = fashion_mnist_dataset("train")
    images, labels = full.tensors
    valid = TensorDataset(images[:n_valid], labels[:n_valid])
    stop = None if limit is None else n_valid + limit
    train = TensorDataset(images[n_valid:stop], labels[n_valid:stop])
    test_loader = DataLoader(fashion_mnist_dataset("test"), batch_size=1000)
    model = FashionCNN()
    start = time.perf_counter()
    history = fit_classifier(model, train, valid, config, device=device, progress=progress)
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
    path = Path(out) if out is not None else CHECKPOINT
    save_fashion_cnn(model, path, metadata)
    # Re-measure after the fp16 round trip: this is the figure the tests check.
    from course_lib.models.fashion_cnn import load_fashion_cnn

    _, metadata["test_accuracy"] = evaluate(load_fashion_cnn(path), test_loader)
    metadata["test_accuracy"] = round(metadata["test_accuracy"], 4)
    save_fashion_cnn(model, path, metadata)
    return metadata
