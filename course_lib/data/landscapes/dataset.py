"""The Landscapes data set for PyTorch: rendered splits, cached on disk.

Each item is ``(image, labels, caption, params)``:

- ``image``: float32 tensor (3, H, W), in [-1, 1] (``value_range="symmetric"``, the default,
  what a tanh generator outputs) or in [0, 1] (``"unit"``);
- ``labels``: int64 tensor (H, W) of class indices (see ``CLASSES``); :func:`one_hot` turns a
  batch into the (N, C, H, W) float maps that pix2pixHD and SPADE take;
- ``caption``: a string (English or Russian);
- ``params``: a dict of numbers, strings and booleans (``SceneParams.to_dict()``), which the
  default ``DataLoader`` collate turns into batched tensors and lists.

Splits come from disjoint seed ranges, so no scene of ``test`` is ever in ``train``. Rendered
splits are cached as ``.npy`` files under ``course_lib.config.cache_dir()/landscapes`` and
memory-mapped, so a 20,000-scene split costs no RAM until it is read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from course_lib.data.landscapes.captions import caption as make_caption
from course_lib.data.landscapes.classes import NUM_CLASSES
from course_lib.data.landscapes.render import render, render_pair
from course_lib.data.landscapes.scene import sample_scene

#: First seed of each split; a split may hold up to 10 million scenes.
SPLIT_OFFSETS: dict[str, int] = {"train": 0, "val": 10_000_000, "test": 20_000_000}
SPLIT_CAPACITY = 10_000_000
#: Bump when the renderer's output changes, so old caches are not reused.
RENDER_VERSION = 2


def split_seeds(split: str, n: int) -> np.ndarray:
    """The seeds of the first ``n`` scenes of ``split`` ("train", "val" or "test")."""
    if split not in SPLIT_OFFSETS:
        raise ValueError(f"split must be one of {tuple(SPLIT_OFFSETS)}, got {split!r}")
    if not 0 <= n <= SPLIT_CAPACITY:
        raise ValueError(f"a split holds at most {SPLIT_CAPACITY:,} scenes, asked for {n:,}")
    return SPLIT_OFFSETS[split] + np.arange(n, dtype=np.int64)


def cache_folder() -> Path:
    """Where rendered splits are cached (inside the writable ``cache_dir()``)."""
    from course_lib.config import cache_dir

    return cache_dir() / "landscapes" / f"v{RENDER_VERSION}"


def render_arrays(
    seeds: np.ndarray, size: int, progress: bool = True, workers: int = 1,
    images_out: np.ndarray | None = None, labels_out: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Render ``seeds`` at ``size``: images (N, H, W, 3) uint8 and labels (N, H, W) uint8.

    ``workers > 1`` renders in that many processes. Pass ``*_out`` arrays (e.g. memory maps)
    to render straight into them.
    """
    from tqdm.auto import tqdm

    n = len(seeds)
    images = np.empty((n, size, size, 3), np.uint8) if images_out is None else images_out
    labels = np.empty((n, size, size), np.uint8) if labels_out is None else labels_out
    jobs = [(int(s), size) for s in seeds]
    bar = tqdm(total=n, desc=f"rendering {size}px landscapes", unit="scene", disable=not progress)
    if workers > 1:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(workers) as pool:
            for i, (img, lab) in enumerate(pool.map(render_pair, jobs, chunksize=64)):
                images[i], labels[i] = img, lab
                bar.update()
    else:
        for i, job in enumerate(jobs):
            images[i], labels[i] = render_pair(job)
            bar.update()
    bar.close()
    return images, labels


def cached_split(
    split: str, size: int, n: int, progress: bool = True, workers: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """The first ``n`` scenes of ``split`` at ``size``, rendered once and then memory-mapped.

    A cache of a larger ``n`` is reused (its first ``n`` scenes are the same scenes). Files are
    written under a temporary name and renamed when complete, so an interrupted run leaves no
    half-written cache behind.
    """
    split_seeds(split, n)  # validates
    folder = cache_folder()
    folder.mkdir(parents=True, exist_ok=True)
    best = None
    for path in folder.glob(f"{split}_{size}px_*.images.npy"):
        have = int(path.name.split("_")[2].split(".")[0])
        if have >= n and (best is None or have < best):
            best = have
    if best is None:
        stem = folder / f"{split}_{size}px_{n}"
        tmp = f".tmp{os.getpid()}"
        img_tmp = Path(f"{stem}.images{tmp}.npy")
        lab_tmp = Path(f"{stem}.labels{tmp}.npy")
        images = np.lib.format.open_memmap(img_tmp, "w+", np.uint8, (n, size, size, 3))
        labels = np.lib.format.open_memmap(lab_tmp, "w+", np.uint8, (n, size, size))
        render_arrays(split_seeds(split, n), size, progress, workers, images, labels)
        images.flush()
        labels.flush()
        del images, labels
        os.replace(lab_tmp, f"{stem}.labels.npy")
        os.replace(img_tmp, f"{stem}.images.npy")
        best = n
    stem = folder / f"{split}_{size}px_{best}"
    images = np.load(f"{stem}.images.npy", mmap_mode="r")[:n]
    labels = np.load(f"{stem}.labels.npy", mmap_mode="r")[:n]
    return images, labels


def one_hot(labels, num_classes: int = NUM_CLASSES):
    """Index maps (N, H, W) or (H, W) -> float32 one-hot maps (N, C, H, W) or (C, H, W)."""
    labels = torch.as_tensor(labels).long()
    out = torch.nn.functional.one_hot(labels, num_classes).float()
    return out.movedim(-1, -3).contiguous()


def to_tensor_image(image: np.ndarray, value_range: str = "symmetric"):
    """(H, W, 3) uint8 -> float32 tensor (3, H, W) in [-1, 1] ("symmetric") or [0, 1] ("unit")."""
    x = torch.from_numpy(np.array(image, dtype=np.uint8)).permute(2, 0, 1).float() / 255.0
    if value_range == "symmetric":
        return x * 2.0 - 1.0
    if value_range == "unit":
        return x
    raise ValueError(f"value_range must be 'symmetric' or 'unit', got {value_range!r}")


class LandscapesDataset(torch.utils.data.Dataset):
    """Rendered Landscapes: ``(image, labels, caption, params)`` items (see the module docstring).

    ``n`` defaults to 20,000 scenes for ``train`` and 2,000 for ``val``/``test`` in the full
    profile (1,000 / 200 in the fast one). ``cache=False`` renders on the fly instead of
    caching (useful for a quick look; rendering is fast enough to feed a small model).
    ``caption_variant=None`` picks a phrasing per scene from its seed; an integer fixes it.
    """

    def __init__(
        self, split: str = "train", size: int = 64, n: int | None = None, lang: str = "en",
        value_range: str = "symmetric", cache: bool = True, caption_variant: int | None = None,
        progress: bool = True, workers: int = 1,
    ) -> None:
        from course_lib.config import by_profile

        if n is None:
            n = by_profile(full=20_000, fast=1_000) if split == "train" else by_profile(
                full=2_000, fast=200)
        self.split, self.size, self.n, self.lang = split, size, n, lang
        self.value_range, self.caption_variant = value_range, caption_variant
        self.seeds = split_seeds(split, n)
        to_tensor_image(np.zeros((1, 1, 3), np.uint8), value_range)  # validates value_range
        self.cache = cache
        if cache:
            self.images, self.labels = cached_split(split, size, n, progress, workers)
        else:
            self.images = self.labels = None

    def __getstate__(self) -> dict[str, Any]:
        # DataLoader workers started by "spawn" (macOS, Windows) pickle the data set: send the
        # cache's location, not the memory-mapped arrays (pickling those would copy them).
        state = dict(self.__dict__)
        state["images"] = state["labels"] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        if self.cache:
            self.images, self.labels = cached_split(self.split, self.size, self.n, False)

    def __len__(self) -> int:
        return self.n

    def scene(self, index: int):
        """The ``SceneParams`` of item ``index``."""
        return sample_scene(int(self.seeds[index]))

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor, str, dict[str, Any]]:
        if not -self.n <= index < self.n:
            raise IndexError(f"index {index} out of range for {self.n} scenes")
        index %= self.n
        params = self.scene(index)
        if self.images is None:
            out = render(params, self.size)
            image, labels = out.image, out.labels
        else:
            image, labels = self.images[index], self.labels[index]
        return (to_tensor_image(image, self.value_range),
                torch.from_numpy(np.array(labels, dtype=np.int64)),
                make_caption(params, self.lang, self.caption_variant),
                params.to_dict())
