"""No command writes into course_lib/checkpoints/ unless --export-to-package asks (issue 15)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.errors import CourseError
from course_lib.models.weights_file import CHECKPOINT_DIR, export_path, guard_write

ROOT = Path(__file__).resolve().parent.parent
TINY_SEGMENTER = ["train", "segmenter", "--size", "32", "--n-train", "16", "--epochs", "1",
                  "--n-test", "8", "--width", "4", "--batch-size", "8"]


def hashes(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in ``folder``."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def course(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess:
    """Run the real ``course`` command in a subprocess."""
    environ = {**os.environ, "PYTHONPATH": str(ROOT), "COURSE_PROFILE": "fast", **env}
    return subprocess.run([sys.executable, "-m", "course_lib.cli", *args], cwd=cwd, env=environ,
                          capture_output=True, text=True, timeout=300)


def test_training_exports_into_the_run_folder_and_leaves_the_package_alone(tmp_path):
    before = hashes(CHECKPOINT_DIR)
    done = course(TINY_SEGMENTER, tmp_path, COURSE_CACHE_DIR=str(tmp_path / "cache"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "runs/segmenter/landscapes_segmenter.safetensors").is_file()
    assert (tmp_path / "runs/segmenter/landscapes_segmenter.json").is_file()
    assert hashes(CHECKPOINT_DIR) == before


def test_export_to_package_keeps_a_backup(tmp_path):
    package = tmp_path / "package"
    shutil.copytree(CHECKPOINT_DIR, package)
    old = hashes(package)
    done = course([*TINY_SEGMENTER, "--export-to-package"], tmp_path,
                  COURSE_CACHE_DIR=str(tmp_path / "cache"), COURSE_PACKAGE_CHECKPOINTS=str(package))
    assert done.returncode == 0, done.stderr
    new = hashes(package)
    for name in ("landscapes_segmenter.safetensors", "landscapes_segmenter.json"):
        assert new[name + ".bak"] == old[name]
    assert new["landscapes_segmenter.safetensors"] != old["landscapes_segmenter.safetensors"]
    assert not (tmp_path / "runs").exists()


@pytest.mark.parametrize("name", sorted(p.stem for p in CHECKPOINT_DIR.glob("*.safetensors")))
def test_a_shipped_file_is_refused_as_an_export_target(name, tmp_path):
    with pytest.raises(CourseError, match="--export-to-package"):
        export_path(name, CHECKPOINT_DIR / f"{name}.safetensors")
    with pytest.raises(CourseError, match="shipped checkpoint"):
        guard_write(CHECKPOINT_DIR / f"{name}.safetensors")
    assert export_path(name, tmp_path) == tmp_path / f"{name}.safetensors"


@pytest.mark.parametrize("args", [
    ["train", "vqgan", "--checkpoint", "course_lib/checkpoints/landscapes_vqgan.safetensors"],
    ["train", "transformer", "--out", "course_lib/checkpoints"],
])
def test_commands_refuse_the_package_folder_before_training(args):
    before = hashes(CHECKPOINT_DIR)
    done = course(args, ROOT)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "shipped checkpoint" in done.stderr and "--export-to-package" in done.stderr
    assert hashes(CHECKPOINT_DIR) == before
