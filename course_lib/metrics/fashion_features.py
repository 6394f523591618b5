"""What the Fashion-MNIST metrics see: images checked and scaled, then FashionCNN's view of them.

Every metric for Fashion-MNIST generators (FID, class coverage) accepts images the same way:

- a torch tensor or a NumPy array,
- shape (N, 1, 28, 28) or (N, 28, 28),
- values in [0, 1] (``value_range="unit"``, the default) or in [-1, 1] for generators that end
  in ``tanh`` (pass ``value_range="symmetric"``); uint8 arrays (0-255) are divided by 255.

Images outside the declared range raise an error instead of being silently clipped: feeding
[-1, 1] images as [0, 1] would make every generator look bad.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Literal

import numpy as np

if TYPE_CHECKING:  # torch is imported when a metric runs, so unit 01 never loads it
    import torch

ValueRange = Literal["unit", "symmetric"]


def to_unit_images(images, value_range: ValueRange = "unit") -> torch.Tensor:
    """Return a float32 CPU tensor of shape (N, 1, 28, 28) with values in [0, 1]."""
    import torch

    if isinstance(images, np.ndarray) and images.dtype == np.uint8:
        images, value_range = images.astype(np.float32) / 255.0, "unit"
    x = torch.as_tensor(images).detach().float().cpu()
    if x.ndim == 3:
        x = x.unsqueeze(1)
    if x.ndim != 4 or tuple(x.shape[1:]) != (1, 28, 28):
        raise ValueError(f"Expected images of shape (N, 1, 28, 28) or (N, 28, 28), "
                         f"got {tuple(x.shape)}.")
    if value_range == "symmetric":
        low, high = -1.0, 1.0
    elif value_range == "unit":
        low, high = 0.0, 1.0
    else:
        raise ValueError(f"value_range must be 'unit' or 'symmetric', not {value_range!r}")
    tol = 1e-3
    if len(x) and (x.min() < low - tol or x.max() > high + tol):
        hint = (" Images from a tanh generator lie in [-1, 1]: pass value_range='symmetric'."
                if value_range == "unit" and x.min() < 0 else "")
        raise ValueError(f"Images should lie in [{low:g}, {high:g}] (value_range="
                         f"{value_range!r}) but span [{x.min():.3g}, {x.max():.3g}].{hint}")
    if value_range == "symmetric":
        x = (x + 1) / 2
    return x.clamp(0, 1)


@lru_cache(maxsize=1)
def default_net() -> torch.nn.Module:
    """The shipped FashionCNN checkpoint, loaded once per process (CPU, eval mode)."""
    from course_lib.models.fashion_cnn import load_fashion_cnn

    return load_fashion_cnn()


def _run(images, net, value_range: ValueRange, batch_size: int, what: str) -> np.ndarray:
    import torch

    net = net if net is not None else default_net()
    net.eval()
    device = next(net.parameters()).device
    x = to_unit_images(images, value_range)
    outputs = []
    with torch.no_grad():
        for start in range(0, len(x), batch_size):
            batch = x[start:start + batch_size].to(device)
            if what == "features":
                out = net.features(batch)
            elif what == "probabilities":
                out = net(batch).softmax(dim=1)
            else:
                out = net(batch).argmax(dim=1)
            outputs.append(out.cpu())
    if not outputs:
        raise ValueError("Got no images: pass at least one.")
    return torch.cat(outputs).numpy()


def fashion_features(images, net: torch.nn.Module | None = None,
                     value_range: ValueRange = "unit", batch_size: int = 500) -> np.ndarray:
    """FashionCNN's penultimate-layer features, shape (N, 256), as float64 NumPy."""
    return _run(images, net, value_range, batch_size, "features").astype(np.float64)


def fashion_predictions(images, net: torch.nn.Module | None = None,
                        value_range: ValueRange = "unit", batch_size: int = 500) -> np.ndarray:
    """The class FashionCNN predicts for each image (0-9), shape (N,)."""
    return _run(images, net, value_range, batch_size, "classes").astype(np.int64)


def fashion_probabilities(images, net: torch.nn.Module | None = None,
                          value_range: ValueRange = "unit", batch_size: int = 500) -> np.ndarray:
    """FashionCNN's class probabilities for each image, shape (N, 10), as float64 NumPy."""
    return _run(images, net, value_range, batch_size, "probabilities").astype(np.float64)
