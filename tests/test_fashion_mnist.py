"""Fashion-MNIST loading: IDX parsing, search order, checksums, downloads, the Keras cache."""

import gzip
import os

import numpy as np
import pytest

from course_lib.data import fashion_mnist
from course_lib.data.download import ChecksumError, download
from course_lib.data.idx import IDXFormatError, encode_idx, parse_idx, read_idx


def test_idx_round_trip(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    (tmp_path / "a.gz").write_bytes(gzip.compress(encode_idx(array)))
    (tmp_path / "a").write_bytes(encode_idx(array))
    assert np.array_equal(read_idx(tmp_path / "a.gz"), array)
    assert np.array_equal(read_idx(tmp_path / "a"), array)


@pytest.mark.parametrize("damage, message", [
    (lambda b: b[:-7], "truncated"),
    (lambda b: b"\x08\x03" + b[2:], "magic"),
    (lambda b: b[:2], "too short"),
    (lambda b: b[:6], "ends early"),
])
def test_idx_errors_explain_the_damage(damage, message):
    good = encode_idx(np.zeros((3, 28, 28), dtype=np.uint8))
    with pytest.raises(IDXFormatError, match=message):
        parse_idx(damage(good), name="x.idx")


def test_damaged_gzip_names_the_file(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(encode_idx(np.zeros((4, 4), np.uint8)))[:-10])
    with pytest.raises(IDXFormatError, match="broken.gz.*damaged"):
        read_idx(path)


def test_loads_from_course_data_dir_and_fills_keras_cache(tiny_fashion_mnist, keras_home,
                                                          tmp_path, monkeypatch):
    mirror, sums = tiny_fashion_mnist
    data_dir = tmp_path / "data"
    (data_dir / "fashion-mnist").mkdir(parents=True)
    for name in sums:
        (data_dir / "fashion-mnist" / name).write_bytes((mirror / name).read_bytes())
    monkeypatch.setenv("COURSE_DATA_DIR", str(data_dir))
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_fashion_mnist(allow_download=False)
    assert x_train.shape == (12, 28, 28) and y_train.shape == (12,)
    assert x_test.shape == (5, 28, 28) and x_train.dtype == np.uint8
    cached = keras_home / "datasets" / "fashion-mnist"
    assert sorted(os.listdir(cached)) == sorted(sums)


def test_altered_file_names_file_and_both_checksums(tiny_fashion_mnist, keras_home, tmp_path,
                                                     monkeypatch):
    mirror, sums = tiny_fashion_mnist
    folder = tmp_path / "data" / "fashion-mnist"
    folder.mkdir(parents=True)
    for name in sums:
        (folder / name).write_bytes((mirror / name).read_bytes())
    victim = folder / "t10k-labels-idx1-ubyte.gz"
    victim.write_bytes(victim.read_bytes() + b"\x00")
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    with pytest.raises(ChecksumError) as err:
        fashion_mnist.load_fashion_mnist(allow_download=False)
    text = str(err.value)
    assert "t10k-labels-idx1-ubyte.gz" in text and sums["t10k-labels-idx1-ubyte.gz"] in text
    assert "Delete it" in text


def test_missing_files_without_download_list_the_searched_folders(tiny_fashion_mnist,
                                                                  keras_home, tmp_path,
                                                                  monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "empty"))
    with pytest.raises(FileNotFoundError) as err:
        fashion_mnist.load_fashion_mnist(allow_download=False)
    assert str(tmp_path / "empty" / "fashion-mnist") in str(err.value)
    assert "COURSE_DATA_DIR" in str(err.value)


def test_download_fills_keras_cache_from_a_mirror(tiny_fashion_mnist, keras_home, tmp_path,
                                                  monkeypatch):
    mirror, sums = tiny_fashion_mnist
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(fashion_mnist, "MIRROR", mirror.as_uri() + "/")
    folder = fashion_mnist.locate(mirror=mirror.as_uri() + "/")
    assert folder == keras_home / "datasets" / "fashion-mnist"
    assert sorted(os.listdir(folder)) == sorted(sums)  # no .part files left behind


def test_corrupt_download_leaves_nothing_behind(tmp_path):
    source = tmp_path / "file.gz"
    source.write_bytes(b"not what was published")
    target = tmp_path / "cache" / "file.gz"
    with pytest.raises(ChecksumError, match="expected 0{64}"):
        download(source.as_uri(), target, sha256="0" * 64)
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_unreachable_mirror_is_a_connection_error_with_advice(tmp_path):
    target = tmp_path / "cache" / "file.gz"
    with pytest.raises(ConnectionError, match="put the file at"):
        download((tmp_path / "nowhere.gz").as_uri(), target, sha256="0" * 64)
    assert not target.exists() and list(target.parent.iterdir()) == []


def test_torch_dataset_scales_images(tiny_fashion_mnist, keras_home, tmp_path, monkeypatch):
    mirror, sums = tiny_fashion_mnist
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "empty"))
    monkeypatch.setattr(fashion_mnist, "MIRROR", mirror.as_uri() + "/")
    unit = fashion_mnist.fashion_mnist_dataset("test")
    symmetric = fashion_mnist.fashion_mnist_dataset("test", value_range="symmetric", limit=3)
    image, label = unit[0]
    assert image.shape == (1, 28, 28) and 0 <= image.min() and image.max() <= 1
    assert len(unit) == 5 and len(symmetric) == 3 and label.dtype.is_floating_point is False
    assert symmetric[0][0].min() >= -1 and np.isclose(float(symmetric[0][0][0, 0, 0]),
                                                     float(image[0, 0, 0]) * 2 - 1)
    with pytest.raises(ValueError, match="split"):
        fashion_mnist.fashion_mnist_dataset("valid")


real_data = pytest.mark.skipif(
    not any((d / "fashion-mnist").is_dir() for d in fashion_mnist.data_dirs()),
    reason="the real Fashion-MNIST files are not available offline (set COURSE_DATA_DIR)")


@real_data
def test_real_files_and_keras_own_loader_offline(keras_home):
    (x_train, y_train), (x_test, y_test) = fashion_mnist.load_fashion_mnist(allow_download=False)
    assert x_train.shape == (60_000, 28, 28) and x_test.shape == (10_000, 28, 28)
    assert np.array_equal(np.bincount(y_train), [6_000] * 10)
    import keras

    (kx_train, _), (_, ky_test) = keras.datasets.fashion_mnist.load_data()
    assert np.array_equal(kx_train, x_train) and np.array_equal(ky_test, y_test)


def test_dataset_card_lists_the_checksums_the_loader_verifies():
    from conftest import REPO

    card = (REPO / "datasets" / "README.md").read_text(encoding="utf-8")
    for name, sha in fashion_mnist.FILES.items():
        assert f"| {name} | {sha} |" in card, f"datasets/README.md lacks {name}'s checksum"


def test_course_data_dir_may_be_the_fashion_mnist_folder_itself(tiny_fashion_mnist, keras_home,
                                                                 monkeypatch):
    mirror, _ = tiny_fashion_mnist  # the four files lie directly in this folder
    monkeypatch.setenv("COURSE_DATA_DIR", str(mirror))
    assert fashion_mnist.locate(allow_download=False) == mirror
    (x_train, _), _ = fashion_mnist.load_fashion_mnist(allow_download=False)
    assert x_train.shape == (12, 28, 28)


def test_repeated_loads_hash_each_file_once(tiny_fashion_mnist, keras_home, monkeypatch):
    from course_lib.data import download as download_module

    mirror, sums = tiny_fashion_mnist
    monkeypatch.setenv("COURSE_DATA_DIR", str(mirror))
    hashed = []
    real = download_module.sha256sum
    monkeypatch.setattr(download_module, "sha256sum", lambda p: hashed.append(p) or real(p))
    for _ in range(3):
        fashion_mnist.load_fashion_mnist(allow_download=False)
    assert sorted(os.path.basename(p) for p in hashed) == sorted(sums)
    (mirror / "t10k-labels-idx1-ubyte.gz").write_bytes(b"changed")  # a new file version
    with pytest.raises(ChecksumError, match="t10k-labels"):
        fashion_mnist.locate(allow_download=False)


def test_partial_files_have_a_name_per_process(tmp_path, monkeypatch):
    from course_lib.data.download import partial_name

    names = set()
    for pid in (101, 202):
        monkeypatch.setattr(os, "getpid", lambda pid=pid: pid)
        names.add(partial_name(tmp_path / "x.gz"))
    assert len(names) == 2 and all(n.name.endswith(".part") for n in names)
