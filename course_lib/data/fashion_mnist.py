"""Fashion-MNIST (Zalando Research, MIT licence): 70,000 grey 28x28 images of 10 clothing classes.

``load_fashion_mnist()`` returns the same arrays as ``keras.datasets.fashion_mnist.load_data()``
but works offline and verifies every file. It looks for the four official files in

1. ``$COURSE_DATA_DIR/fashion-mnist`` (or ``$COURSE_DATA_DIR`` itself)
2. the repository's ``datasets/fashion-mnist``
3. the Keras cache, ``$KERAS_HOME/datasets/fashion-mnist`` (default ``~/.keras``)

and downloads what is missing into the Keras cache. Files found elsewhere are copied into the
Keras cache too, so that ``keras.datasets.fashion_mnist.load_data()`` itself works offline.
"""

from __future__ import annotations

import os
import shutil
import warnings
from pathlib import Path
from typing import Literal

import numpy as np

from course_lib.config import data_dirs, keras_home
from course_lib.data.download import download, partial_name, verify_sha256
from course_lib.data.idx import read_idx

CLASS_NAMES: list[str] = [
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
]  # fmt: skip

#: The official files and their published SHA-256 checksums.
FILES: dict[str, str] = {
    "train-images-idx3-ubyte.gz":
        "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte.gz":
        "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte.gz":
        "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte.gz":
        "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}
MIRROR = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"

Arrays = tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]


def search_folders() -> list[Path]:
    """The folders searched for the four files, in order (the Keras cache last).

    Each data folder is tried as the parent of ``fashion-mnist/`` and as that folder itself,
    so ``COURSE_DATA_DIR`` may point at either.
    """
    return [f for d in data_dirs() for f in (d / "fashion-mnist", d)] + [keras_cache_folder()]


def keras_cache_folder() -> Path:
    """Where Keras's own loader looks for Fashion-MNIST."""
    return keras_home() / "datasets" / "fashion-mnist"


def locate(files: dict[str, str] | None = None, allow_download: bool = True,
           mirror: str | None = None) -> Path:
    """Return a folder holding all the files, verified; download into the Keras cache if needed.

    A file that is present but corrupt raises ``ChecksumError`` naming it, rather than being
    silently skipped: a damaged copy is something the user should know about.
    """
    files = FILES if files is None else files
    mirror = MIRROR if mirror is None else mirror
    for folder in search_folders():
        if all((folder / name).is_file() for name in files):
            for name, sha in files.items():
                verify_sha256(folder / name, sha)
            return folder
    target = keras_cache_folder()
    if not allow_download:
        searched = "\n  ".join(str(f) for f in search_folders())
        raise FileNotFoundError(
            f"Fashion-MNIST files {sorted(files)} were not found in any of:\n  {searched}\n"
            "Run `course data fashion-mnist` with internet access, or set COURSE_DATA_DIR "
            "to a folder holding the four official .gz files (or its parent, with them in "
            "fashion-mnist/)."
        )
    for name, sha in files.items():
        if not (target / name).is_file():
            download(mirror + name, target / name, sha)
        verify_sha256(target / name, sha)
    return target


def fill_keras_cache(source: Path, files: dict[str, str] | None = None) -> None:
    """Copy verified files into the Keras cache (atomically) so Keras's loader works offline."""
    files = FILES if files is None else files
    target = keras_cache_folder()
    if source.resolve() == target.resolve():
        return
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in files:
            if not (target / name).is_file():
                partial = partial_name(target / name)
                shutil.copyfile(source / name, partial)
                os.replace(partial, target / name)
    except OSError as err:  # a read-only home must not stop the course
        warnings.warn(f"Could not fill the Keras cache at {target}: {err}", stacklevel=2)


def load_fashion_mnist(allow_download: bool = True) -> Arrays:
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)`` uint8 arrays.

    Shapes: (60000, 28, 28), (60000,), (10000, 28, 28), (10000,) - like ``keras.datasets``.
    """
    folder = locate(allow_download=allow_download)
    fill_keras_cache(folder)
    x_train = read_idx(folder / "train-images-idx3-ubyte.gz")
    y_train = read_idx(folder / "train-labels-idx1-ubyte.gz")
    x_test = read_idx(folder / "t10k-images-idx3-ubyte.gz")
    y_test = read_idx(folder / "t10k-labels-idx1-ubyte.gz")
    for images, labels, split in ((x_train, y_train, "train"), (x_test, y_test, "test")):
        if images.ndim != 3 or len(images) != len(labels):
            raise ValueError(
                f"Fashion-MNIST {split} split is inconsistent: images {images.shape}, "
                f"labels {labels.shape}. Delete the files in {folder} and load again."
            )
    return (x_train, y_train), (x_test, y_test)


def fashion_mnist_dataset(split: Literal["train", "test"] = "train",
                          value_range: Literal["unit", "symmetric"] = "unit",
                          limit: int | None = None):
    """Fashion-MNIST as a ``torch.utils.data.TensorDataset`` of (image, label) pairs.

    Images are float32 tensors of shape (1, 28, 28), scaled to [0, 1] (``"unit"``, for
    classifiers) or [-1, 1] (``"symmetric"``, for GAN generators ending in tanh).
    ``limit`` keeps the first ``limit`` examples (the fast profile uses this).
    """
    import torch
    from torch.utils.data import TensorDataset

    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', not {split!r}")
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist()
    images, labels = (x_train, y_train) if split == "train" else (x_test, y_test)
    images, labels = images[:limit], labels[:limit]
    x = torch.from_numpy(images.astype(np.float32) / 255.0).unsqueeze(1)
    if value_range == "symmetric":
        x = x * 2 - 1
    elif value_range != "unit":
        raise ValueError(f"value_range must be 'unit' or 'symmetric', not {value_range!r}")
    return TensorDataset(x, torch.from_numpy(labels.astype(np.int64)))
