"""Ctrl-C keeps the run: the trainer saves at a whole step, and resuming is exact (issue 15.2)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import torch
from safetensors.torch import load_file

ROOT = Path(__file__).resolve().parent.parent
ARGS = ["train", "gan", "--steps", "16", "--limit", "640", "--sample-every", "4",
        "--checkpoint-every", "1000"]


def start(out: Path) -> subprocess.Popen:
    """The real ``course train gan`` in a subprocess, writing its run folder to ``out``."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COURSE_PROFILE": "fast"}
    return subprocess.Popen([sys.executable, "-m", "course_lib.cli", *ARGS, "--out", str(out)],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def final_weights(run: Path) -> dict[str, torch.Tensor]:
    """The networks of the newest checkpoint of a run folder."""
    import json

    pointer = json.loads((run / "checkpoints" / "latest.json").read_text())
    assert pointer["step"] == 16
    return load_file(str(run / "checkpoints" / pointer["weights"]))


def test_ctrl_c_saves_and_the_rerun_matches_an_uninterrupted_run(tmp_path):
    run = start(tmp_path / "cut")
    deadline = time.time() + 120
    while not (tmp_path / "cut/samples/step-000004.png").exists():  # 4 steps done
        assert run.poll() is None and time.time() < deadline, run.communicate()
        time.sleep(0.2)
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=120)
    assert run.returncode == 130, err
    assert "Traceback" not in err
    assert "run the same command again to resume" in err and "interrupted at step" in err
    step = int(err.split("interrupted at step ")[1].split(";")[0])
    assert 4 <= step < 16

    rerun = start(tmp_path / "cut")
    out, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert f"resuming from step {step} of 16" in out
    straight = start(tmp_path / "straight")
    _, err = straight.communicate(timeout=300)
    assert straight.returncode == 0, err

    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "cut/history.csv"),
                                  pd.read_csv(tmp_path / "straight/history.csv"),
                                  check_exact=True)
    a, b = final_weights(tmp_path / "cut"), final_weights(tmp_path / "straight")
    assert a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_ctrl_c_in_a_hand_written_loop_is_one_line_and_exit_130(monkeypatch, capsys):
    import course_lib.training.gan_run as gan_run
    from course_lib.cli import main

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gan_run, "sample_grid", interrupted)
    assert main(["sample", "mlp_gan"]) == 130
    err = capsys.readouterr().err.strip()
    assert err == "course: interrupted; this command keeps no partial results"


def test_ctrl_c_without_a_run_folder_says_nothing_was_saved():
    import pytest

    from course_lib.training.interrupts import TrainingInterrupted
    from tests.test_training_engine import tiny_trainer

    trainer = tiny_trainer(None)
    with pytest.raises(TrainingInterrupted, match="interrupted at step 0; nothing was saved"):
        trainer._interrupted()
