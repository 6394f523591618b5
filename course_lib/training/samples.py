"""Sample grids and training curves: what to look at while a generative model trains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch


def image_grid(images: torch.Tensor, nrow: int = 8, padding: int = 2,
               value_range: tuple[float, float] = (-1.0, 1.0),
               pad_value: float | None = None) -> np.ndarray:
    """Tile (N, C, H, W) images into one (H', W') grey or (H', W', 3) colour array in [0, 1].

    The gaps are white as the course draws them: 0 for grey images (shown with the
    ``binary`` colour map, where 0 is white, like Fashion-MNIST's background) and 1 for
    colour images, unless ``pad_value`` says otherwise.
    """
    images = images.detach().float().cpu()
    low, high = value_range
    images = ((images - low) / (high - low)).clamp(0, 1)
    n, c, h, w = images.shape
    rows = -(-n // nrow)
    if pad_value is None:
        pad_value = 0.0 if c == 1 else 1.0
    grid = torch.full((c, rows * (h + padding) + padding, nrow * (w + padding) + padding),
                      pad_value)
    for i, image in enumerate(images):
        top, left = padding + (i // nrow) * (h + padding), padding + (i % nrow) * (w + padding)
        grid[:, top:top + h, left:left + w] = image
    array = grid.permute(1, 2, 0).numpy()
    return array[..., 0] if c == 1 else array


def save_grid(images: torch.Tensor, path: Path, nrow: int = 8) -> Path:
    """Save a sample grid as a PNG (white background, black clothes, like the data set plots)."""
    import matplotlib.pyplot as plt

    grid = image_grid(images, nrow=nrow)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    plt.imsave(path, grid, cmap="binary" if grid.ndim == 2 else None, vmin=0, vmax=1)
    return path


def plot_gan_history(history: pd.DataFrame, title: str | None = None):
    """Two panels against the step: the losses, and D's mean score on real and fake images.

    A healthy GAN shows both losses wandering around a level rather than one of them going to
    zero; D(x) near 1 with D(G(z)) near 0 for long means D has won and G learns nothing.
    """
    import matplotlib.pyplot as plt

    frame = history.set_index("step") if "step" in history.columns else history
    losses = [c for c in frame.columns if c.endswith("loss")]
    scores = [c for c in frame.columns if c not in losses]
    fig, axes = plt.subplots(1, 2 if scores else 1, figsize=(12 if scores else 6, 4),
                             squeeze=False)
    frame[losses].plot(ax=axes[0, 0], title="losses")
    if scores:
        frame[scores].plot(ax=axes[0, 1], title="discriminator scores")
    for ax in axes.flat:
        ax.grid(True)
        ax.set_xlabel("step")
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
