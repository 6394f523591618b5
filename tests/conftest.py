"""Shared fixtures: tiny IDX data sets and an isolated Keras cache."""

from __future__ import annotations

import gzip
import hashlib
from pathlib import Path

import numpy as np
import pytest

from course_lib.data.idx import encode_idx

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def keras_home(tmp_path, monkeypatch) -> Path:
    """An empty Keras cache so tests never touch the user's ~/.keras."""
    home = tmp_path / "keras_home"
    monkeypatch.setenv("KERAS_HOME", str(home))
    return home


@pytest.fixture
def tiny_fashion_mnist(tmp_path, monkeypatch) -> tuple[Path, dict[str, str]]:
    """Four small gzip IDX files named like the official ones, and their SHA-256 sums.

    The loader's published checksums are swapped for these, so every code path (search,
    verification, download, Keras cache) runs on a few kilobytes.
    """
    from course_lib import config
    from course_lib.data import fashion_mnist

    # A real copy in the repository's datasets/ must not shadow the tiny files.
    monkeypatch.setattr(config, "REPO_ROOT", tmp_path / "repo")
    rng = np.random.default_rng(0)
    arrays = {
        "train-images-idx3-ubyte.gz": rng.integers(0, 256, (12, 28, 28), dtype=np.uint8),
        "train-labels-idx1-ubyte.gz": rng.integers(0, 10, 12, dtype=np.uint8),
        "t10k-images-idx3-ubyte.gz": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "t10k-labels-idx1-ubyte.gz": rng.integers(0, 10, 5, dtype=np.uint8),
    }
    folder = tmp_path / "mirror"
    folder.mkdir()
    sums = {}
    for name, array in arrays.items():
        data = gzip.compress(encode_idx(array), mtime=0)
        (folder / name).write_bytes(data)
        sums[name] = hashlib.sha256(data).hexdigest()
    monkeypatch.setattr(fashion_mnist, "FILES", sums)
    return folder, sums


@pytest.fixture
def one_thread():
    """Small models gain nothing from threads, and on a busy 2-core machine threads wait."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
