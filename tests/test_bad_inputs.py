"""Every bad input of issue 15, through the real ``course`` command: one clear line, no traceback,
nothing already on disk changed."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from course_lib.models.weights_file import CHECKPOINT_DIR

ROOT = Path(__file__).resolve().parent.parent
GAN = ["train", "gan", "--steps", "1", "--limit", "64"]

# (arguments, exit code, text the message must contain, what must stay unchanged)
CASES = {
    "steps 0": (["train", "gan", "--steps", "0"], 2, "argument --steps: 0 is not allowed: "
                "give a whole number >= 1", None),
    "steps -5": (["train", "gan", "--steps", "-5"], 2, "argument --steps: -5", None),
    "batch size 0": (["train", "fashion-cnn", "--batch-size", "0"], 2,
                     "argument --batch-size: 0", None),
    "sample n -3": (["sample", "mlp_gan", "--n", "-3"], 2, "argument --n: -3", None),
    "sample n 0": (["sample", "mlp_gan", "--n", "0"], 2, "argument --n: 0", None),
    "spade steps -3": (["train", "spade", "--steps", "-3"], 2, "argument --steps: -3", None),
    "disc start 2": (["train", "vqgan", "--disc-start", "2"], 2, "in [0, 1]", None),
    "size 50": (["train", "segmenter", "--size", "50"], 2, "multiple of 16 from 32 to 256", None),
    "device tpu": ([*GAN, "--device", "tpu", "--out", "{tmp}/new"], 2, "--device tpu", None),
    "device cuda": ([*GAN, "--device", "cuda", "--out", "{tmp}/new"], 2, "--device cuda", None),
    "resume another model": (["train", "lsgan", "--steps", "2", "--limit", "64", "--out",
                              "{tmp}/mlp_run"], 2, "--no-resume", "{tmp}/mlp_run"),
    "flipped bytes": (["sample", "{tmp}/flipped/mlp_gan.safetensors", "--out", "{tmp}/s.png"],
                      2, "mlp_gan.safetensors is corrupt or altered", "{tmp}/flipped"),
    "truncated file": (["sample", "{tmp}/cut.safetensors", "--out", "{tmp}/s.png"], 2,
                       "cut.safetensors is not a readable safetensors file", "{tmp}/cut"
                       ".safetensors"),
    "sample spade": (["sample", "spade", "--out", "{tmp}/s.png"], 2,
                     "mlp_gan, mlp_gan_healthy, lsgan_dcgan", None),
    "export over the package": (["train", "vqgan", "--checkpoint", str(CHECKPOINT_DIR /
                                 "landscapes_vqgan.safetensors")], 2, "--export-to-package",
                                str(CHECKPOINT_DIR)),
    "legal: sample a shipped GAN": (["sample", "mlp_gan", "--n", "4", "--out", "{tmp}/ok.png"],
                                    0, "wrote 4 samples", str(CHECKPOINT_DIR)),
}


def course(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    """The real ``course`` command in a subprocess (fast profile)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COURSE_PROFILE": "fast"}
    return subprocess.run([sys.executable, "-m", "course_lib.cli", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=300)


def fingerprint(path: Path) -> dict[str, str]:
    """SHA-256 of a file, or of every file under a folder."""
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """A GAN run folder (MLP), a shipped checkpoint with 4 flipped bytes, a truncated file."""
    tmp = tmp_path_factory.mktemp("bad_inputs")
    done = course([*GAN, "--out", str(tmp / "mlp_run")], tmp)
    assert done.returncode == 0, done.stderr
    (tmp / "flipped").mkdir()
    for suffix in (".safetensors", ".json"):
        shutil.copy(CHECKPOINT_DIR / f"mlp_gan{suffix}", tmp / "flipped" / f"mlp_gan{suffix}")
    data = bytearray((tmp / "flipped/mlp_gan.safetensors").read_bytes())
    data[-100:-96] = bytes(b ^ 0xFF for b in data[-100:-96])
    (tmp / "flipped/mlp_gan.safetensors").write_bytes(bytes(data))
    (tmp / "cut.safetensors").write_bytes((CHECKPOINT_DIR / "mlp_gan.safetensors")
                                          .read_bytes()[:1000])
    return tmp


@pytest.mark.parametrize("case", CASES)
def test_bad_input_gives_one_clear_line(case, inputs):
    args, code, message, kept = CASES[case]
    if case == "device cuda":
        import torch

        if torch.cuda.is_available():
            pytest.skip("this machine has CUDA, so --device cuda is legal here")
    args = [a.replace("{tmp}", str(inputs)) for a in args]
    kept_path = Path(kept.replace("{tmp}", str(inputs))) if kept else None
    before = fingerprint(kept_path) if kept_path else None
    done = course(args, inputs)
    assert done.returncode == code, done.stderr
    assert "Traceback" not in done.stderr
    assert message in " ".join((done.stderr + done.stdout).split())
    if code:
        assert len([line for line in done.stderr.splitlines() if "error:" in line]) == 1
    if kept_path:
        assert fingerprint(kept_path) == before
