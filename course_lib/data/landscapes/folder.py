"""Real paired data from a folder: ``images/`` and ``labels/`` with matching file names.

The layout of Cityscapes, ADE20K or CMP facades once converted to index maps::

    root/images/0001.jpg   root/labels/0001.png   (root/captions/0001.txt, optional)

A label file is a single-channel PNG whose pixel values are class indices (PIL mode "L" or
"P"; a palette PNG such as CMP facades' keeps its indices). Items have the same form as
:class:`LandscapesDataset`'s: ``(image, labels, caption, params)``. Problems are reported
with the file names: an image without a label (or the reverse), label values outside
``0..num_classes-1`` (other than ``ignore_index``), or an image and label of different sizes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch

from course_lib.data.landscapes.dataset import to_tensor_image

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg")


class PairedFolderDataset(torch.utils.data.Dataset):
    """Image/label pairs from ``root/images`` and ``root/labels`` (see the module docstring).

    ``size`` resizes both to ``size`` x ``size`` (bilinear for images, nearest for labels);
    ``ignore_index`` (255 by default, as in Cityscapes) marks unlabelled pixels.
    """

    def __init__(
        self, root: str | Path, num_classes: int, size: int | None = None,
        value_range: str = "symmetric", ignore_index: int | None = 255,
    ) -> None:
        self.root = Path(root)
        self.num_classes, self.size = num_classes, size
        self.value_range, self.ignore_index = value_range, ignore_index
        image_dir, label_dir = self.root / "images", self.root / "labels"
        for folder in (image_dir, label_dir):
            if not folder.is_dir():
                raise FileNotFoundError(f"{folder} does not exist: a paired folder data set "
                                        "needs images/ and labels/ side by side")
        images = {p.stem: p for p in sorted(image_dir.iterdir())
                  if p.suffix.lower() in IMAGE_SUFFIXES}
        labels = {p.stem: p for p in sorted(label_dir.iterdir()) if p.suffix.lower() == ".png"}
        lonely_images = sorted(set(images) - set(labels))
        lonely_labels = sorted(set(labels) - set(images))
        if lonely_images or lonely_labels:
            parts = []
            if lonely_images:
                parts.append(f"{len(lonely_images)} image(s) without a label, e.g. "
                             f"{[images[s].name for s in lonely_images[:5]]}")
            if lonely_labels:
                parts.append(f"{len(lonely_labels)} label(s) without an image, e.g. "
                             f"{[labels[s].name for s in lonely_labels[:5]]}")
            raise ValueError(f"unmatched files in {self.root}: " + "; ".join(parts)
                             + " (an image and its label must share a file name stem)")
        if not images:
            raise ValueError(f"no image files ({', '.join(IMAGE_SUFFIXES)}) in {image_dir}")
        self.stems = sorted(images)
        self.image_paths = [images[s] for s in self.stems]
        self.label_paths = [labels[s] for s in self.stems]

    def __len__(self) -> int:
        return len(self.stems)

    def load(self, index: int) -> tuple[np.ndarray, np.ndarray]:
        """Image (H, W, 3) uint8 and label map (H, W) int64 of item ``index``, checked."""
        from PIL import Image

        image_path, label_path = self.image_paths[index], self.label_paths[index]
        with Image.open(image_path) as im:
            image = im.convert("RGB")
        with Image.open(label_path) as lab:
            if lab.mode not in ("L", "P", "I", "I;16"):
                raise ValueError(
                    f"{label_path.name}: a label map must be a single-channel image of class "
                    f"indices (PIL mode L or P), got mode {lab.mode}; colour-coded maps must be "
                    "converted to indices first")
            label = lab.copy()
        if image.size != label.size:
            raise ValueError(f"size mismatch: {image_path.name} is {image.size[0]}x"
                             f"{image.size[1]} but {label_path.name} is {label.size[0]}x"
                             f"{label.size[1]} (width x height)")
        if self.size is not None:
            image = image.resize((self.size, self.size), Image.BILINEAR)
            label = label.resize((self.size, self.size), Image.NEAREST)
        label_array = np.array(label, dtype=np.int64)
        bad = (label_array < 0) | (label_array >= self.num_classes)
        if self.ignore_index is not None:
            bad &= label_array != self.ignore_index
        if bad.any():
            values = np.unique(label_array[bad])[:10].tolist()
            raise ValueError(f"{label_path.name}: unknown label values {values}; expected "
                             f"0..{self.num_classes - 1}"
                             + (f" or {self.ignore_index} (ignored)"
                                if self.ignore_index is not None else ""))
        return np.asarray(image, dtype=np.uint8), label_array

    def check(self) -> None:
        """Load every pair once, so that any bad file is reported before training starts."""
        for i in range(len(self)):
            self.load(i)

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, str, dict[str, Any]]:
        image, label = self.load(index)
        caption_path = self.root / "captions" / f"{self.stems[index]}.txt"
        caption = caption_path.read_text(encoding="utf-8").strip() if caption_path.exists() else ""
        return (to_tensor_image(image, self.value_range), torch.from_numpy(label), caption,
                {"name": self.stems[index]})
