"""Plot helpers: scenes beside their label maps and captions."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from course_lib.data.landscapes.classes import CLASS_COLORS, CLASSES, colorize


def show_scenes(
    images: Sequence[np.ndarray] | np.ndarray,
    label_maps: Sequence[np.ndarray] | np.ndarray | None = None,
    captions: Sequence[str] | None = None,
    ncols: int = 4,
    legend: bool = True,
    width: float = 3.0,
):
    """Show pictures, each with its label map below it and its caption as the title.

    ``images`` are (H, W, 3) arrays, uint8 or float in [0, 1] (torch tensors (3, H, W) in
    [-1, 1] or [0, 1] are accepted too); ``label_maps`` are (H, W) class indices.
    Returns the matplotlib figure.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    pictures = [_to_hwc(img) for img in images]
    maps = None if label_maps is None else [np.asarray(m) for m in label_maps]
    n = len(pictures)
    ncols = min(ncols, n)
    nrows = -(-n // ncols)
    rows_per = 1 if maps is None else 2
    fig, axes = plt.subplots(nrows * rows_per, ncols, squeeze=False,
                             figsize=(width * ncols, width * nrows * rows_per * 1.05))
    for ax in axes.flat:
        ax.axis("off")
    for i, picture in enumerate(pictures):
        r, c = divmod(i, ncols)
        ax = axes[r * rows_per, c]
        ax.imshow(picture, interpolation="nearest")
        if captions is not None:
            ax.set_title(_wrap(captions[i]), fontsize=8)
        if maps is not None:
            axes[r * rows_per + 1, c].imshow(colorize(maps[i]), interpolation="nearest")
    if legend and maps is not None:
        handles = [Patch(facecolor=CLASS_COLORS[k] / 255.0, edgecolor="0.6", label=name)
                   for k, name in enumerate(CLASSES)]
        fig.legend(handles=handles, loc="lower center", ncol=len(CLASSES), fontsize=8,
                   frameon=False)
    fig.tight_layout(rect=(0, 0.03 if legend and maps is not None else 0, 1, 1))
    return fig


def _wrap(text: str, width: int = 40) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def _to_hwc(image) -> np.ndarray:
    """Any image layout the course uses, as an (H, W, 3) float array in [0, 1] for imshow."""
    array = image.detach().cpu().numpy() if hasattr(image, "detach") else np.asarray(image)
    if array.ndim == 3 and array.shape[0] in (1, 3) and array.shape[-1] not in (1, 3):
        array = np.moveaxis(array, 0, -1)
    if array.dtype == np.uint8:
        return array.astype(np.float32) / 255.0
    array = array.astype(np.float32)
    if array.min() < 0.0:
        array = (array + 1.0) / 2.0
    return np.clip(array, 0.0, 1.0)
