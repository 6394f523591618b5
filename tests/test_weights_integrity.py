"""Weights files are verified on load; bad ones give one clear line (issue 15.4, 15.5)."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from course_lib.data import download
from course_lib.errors import CourseError
from course_lib.models.fashion_gan import generator_from_checkpoint
from course_lib.models.weights_file import (
    CHECKPOINT_DIR,
    load_weights,
    read_tensors,
    save_weights,
    verify_weights,
)

SHIPPED = sorted(CHECKPOINT_DIR.glob("*.safetensors"))


def copy_shipped(name: str, folder):
    """A copy of a shipped checkpoint and its sidecar in ``folder``."""
    for suffix in (".safetensors", ".json"):
        shutil.copy(CHECKPOINT_DIR / f"{name}{suffix}", folder / f"{name}{suffix}")
    return folder / f"{name}.safetensors"


def flip_bytes(path, n: int = 4) -> None:
    """Invert ``n`` bytes in the tensor data (past the header) of a safetensors file."""
    data = bytearray(path.read_bytes())
    data[-100:-100 + n] = bytes(b ^ 0xFF for b in data[-100:-100 + n])
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_every_shipped_sidecar_records_the_files_sha256(path):
    info = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert info["sha256"] == download.sha256sum(path)


def test_four_flipped_bytes_are_a_clear_error(tmp_path):
    path = copy_shipped("mlp_gan", tmp_path)
    generator_from_checkpoint(path)  # the intact copy loads
    flip_bytes(path)
    with pytest.raises(CourseError, match=r"mlp_gan.safetensors is corrupt or altered.*"
                                          r"records [0-9a-f]{64}.*train again"):
        generator_from_checkpoint(path)
    seg = copy_shipped("landscapes_segmenter", tmp_path)
    flip_bytes(seg)
    with pytest.raises(CourseError, match="landscapes_segmenter.safetensors is corrupt"):
        load_weights(seg, "segmenter", "course train segmenter")


def test_a_truncated_file_is_a_clear_error(tmp_path):
    path = tmp_path / "cut.safetensors"
    path.write_bytes((CHECKPOINT_DIR / "mlp_gan.safetensors").read_bytes()[:1000])
    with pytest.raises(CourseError, match="cut.safetensors is not a readable safetensors file"):
        read_tensors(path)


def test_a_damaged_shipped_file_says_how_to_restore_it(tmp_path, monkeypatch):
    from course_lib.models import weights_file

    path = copy_shipped("mlp_gan", tmp_path)
    flip_bytes(path)
    monkeypatch.setattr(weights_file, "CHECKPOINT_DIR", tmp_path)
    with pytest.raises(CourseError, match="git checkout course_lib/checkpoints"):
        verify_weights(path)


def test_verification_is_cached_by_size_and_mtime(tmp_path, monkeypatch):
    path = copy_shipped("mlp_gan", tmp_path)
    hashed = []
    real = download.sha256sum
    monkeypatch.setattr(download, "sha256sum", lambda p: hashed.append(p) or real(p))
    for _ in range(3):
        read_tensors(path)
    assert len(hashed) == 1


def test_saved_sidecars_record_the_sha256(tmp_path):
    path = save_weights({"w": torch.ones(3)}, tmp_path / "m.safetensors", {"seed": 1})
    info = json.loads(path.with_suffix(".json").read_text())
    assert info["seed"] == 1 and info["sha256"] == download.sha256sum(path)
    assert torch.equal(read_tensors(path)["w"], torch.ones(3, dtype=torch.half))


def test_unusable_devices_are_named():
    from course_lib.config import pick_device

    with pytest.raises(CourseError, match="--device tpu: not a device.*cpu, cuda or mps"):
        pick_device("tpu")
    if not torch.cuda.is_available():
        with pytest.raises(CourseError, match="--device cuda: .*cannot use cuda"):
            pick_device("cuda")
    assert pick_device("cpu").type == "cpu"


def test_sample_names_the_shipped_generators(tmp_path):
    from course_lib.training.gan_run import sample_grid

    with pytest.raises(CourseError, match="'spade' is neither a path.*mlp_gan, .*lsgan_dcgan"):
        sample_grid("spade", tmp_path / "s.png")
