"""Figures the notebooks draw again and again: image grids, training curves, confusion matrices."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd


def show_images(images: np.ndarray, labels: Sequence[int] | None = None,
                class_names: Sequence[str] | None = None, rows: int = 5, cols: int = 5,
                cmap: str = "binary", size: float = 2.0) -> plt.Figure:
    """Draw the first ``rows * cols`` images in a grid, captioned with their class names.

    ``images`` is (N, H, W) grey or (N, H, W, 3) colour, uint8 or float in [0, 1].
    """
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= len(images):
            ax.axis("off")
            continue
        ax.imshow(images[i], cmap=cmap if np.ndim(images[i]) == 2 else None)
        if labels is not None:
            label = int(labels[i])
            ax.set_xlabel(class_names[label] if class_names is not None else str(label))
    fig.tight_layout()
    return fig


def history_frame(history: Any) -> pd.DataFrame:
    """A training history as a DataFrame, one row per epoch (or step).

    Accepts a Keras ``History``, a dict of lists, or a DataFrame (returned as is).
    """
    if isinstance(history, pd.DataFrame):
        return history
    if hasattr(history, "history"):
        history = history.history
    frame = pd.DataFrame(history)
    frame.index = pd.RangeIndex(1, len(frame) + 1, name="epoch")
    return frame


def plot_history(history: Any, ylim: tuple[float, float] | None = (0, 1),
                 title: str | None = None) -> plt.Axes:
    """Plot every column of a training history (loss, accuracy, val_...) against the epoch."""
    frame = history_frame(history)
    ax = frame.plot(figsize=(8, 5), marker="o", title=title)
    ax.grid(True)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel(frame.index.name or "epoch")
    return ax


def plot_confusion_matrix(matrix: np.ndarray, class_names: Sequence[str],
                          normalize: bool = True, ax: plt.Axes | None = None) -> plt.Axes:
    """Show a confusion matrix (rows: true class, columns: predicted) with counts in the cells."""
    matrix = np.asarray(matrix)
    shown = matrix / matrix.sum(axis=1, keepdims=True).clip(min=1) if normalize else matrix
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 7))
    image = ax.imshow(shown, cmap="Blues")
    ax.figure.colorbar(image, ax=ax, fraction=0.046)
    ticks = np.arange(len(class_names))
    ax.set_xticks(ticks, class_names, rotation=45, ha="right")
    ax.set_yticks(ticks, class_names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    threshold = shown.max() / 2
    for (i, j), count in np.ndenumerate(matrix):
        ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                color="white" if shown[i, j] > threshold else "black")
    return ax
