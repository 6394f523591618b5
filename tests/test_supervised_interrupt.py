"""Ctrl-C in a supervised loop saves the run, and running again resumes it exactly (issue 16)."""

from __future__ import annotations

import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import torch

from course_lib.training.interrupts import TrainingInterrupted
from course_lib.training.loop import SupervisedRun, warmup_cosine

ROOT = Path(__file__).resolve().parent.parent
STEPS = 256  # 2 epochs of 256 renders in batches of 2, a 4-channel U-Net at 32 px
ARGS = ["train", "segmenter", "--size", "32", "--n-train", "256", "--n-test", "16", "--epochs",
        "2", "--batch-size", "2", "--width", "4", "--threads", "1", "--seed", "0"]


def tiny_run(folder, steps: int = 8, settings=None) -> SupervisedRun:
    """A linear model fitted to random points with SGD, dropout and a shuffling generator."""
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Dropout(0.2), torch.nn.Linear(4, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, warmup_cosine(steps))
    return SupervisedRun(folder, steps, model, opt, sched, torch.Generator().manual_seed(1),
                         state={"sum": 0.0}, settings=settings or {"lr": 0.1}, progress=False)


def fit(run: SupervisedRun, stop_at: int | None = None) -> SupervisedRun:
    x = torch.randn(64, 4, generator=torch.Generator().manual_seed(2))
    for step in run.steps():
        idx = torch.randint(0, 64, (8,), generator=run.generator)
        loss = run.model(x[idx]).pow(2).mean()
        run.optimizer.zero_grad()
        loss.backward()
        run.optimizer.step()
        run.scheduler.step()
        run.state["sum"] += loss.item()
        run.history.append({"step": step + 1, "loss": loss.item(), "sum": run.state["sum"]})
        if step == stop_at:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C during a step: it still finishes
    return run


def test_the_helper_saves_on_ctrl_c_and_resumes_exactly(tmp_path, capsys):
    straight = fit(tiny_run(tmp_path / "straight"))
    with pytest.raises(TrainingInterrupted, match="interrupted at step 3; run the same command "
                       "again to resume"):
        fit(tiny_run(tmp_path / "cut"), stop_at=2)
    assert (tmp_path / "cut/checkpoints/latest.json").is_file()
    resumed = fit(tiny_run(tmp_path / "cut"))
    assert "resuming from step 3 of 8" in capsys.readouterr().out
    assert resumed.history == straight.history
    a, b = resumed.model.state_dict(), straight.model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not (tmp_path / "cut/checkpoints").exists() and not (tmp_path / "straight").exists()


def test_other_settings_start_over_and_no_folder_saves_nothing(tmp_path, capsys):
    with pytest.raises(TrainingInterrupted):
        fit(tiny_run(tmp_path / "run"), stop_at=2)
    again = tiny_run(tmp_path / "run", settings={"lr": 0.2})
    assert again.step == 0 and "other settings (lr); starting from step 0" in (
        capsys.readouterr().out)
    with pytest.raises(TrainingInterrupted, match="interrupted at step 2; nothing was saved"):
        fit(tiny_run(None), stop_at=1)


def test_warmup_cosine_keeps_both_shapes():
    linear_then_cosine = warmup_cosine(100)
    assert linear_then_cosine(0) == pytest.approx(0.2) and linear_then_cosine(4) == 1.0
    assert linear_then_cosine(99) == pytest.approx(0.5 * (1 + math.cos(math.pi * 94 / 95)))
    gpt = warmup_cosine(100, overlap=True)  # the transformer's: warm-up scales the cosine
    for s in (0, 3, 50, 99):
        assert gpt(s) == min(1.0, (s + 1) / 5) * 0.5 * (1 + math.cos(math.pi * s / 100))


class Course:
    """The real ``course train segmenter`` in a subprocess, its stderr read as it comes."""

    def __init__(self, out: Path) -> None:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "COURSE_PROFILE": "fast",
               "COURSE_CACHE_DIR": str(out.parent / "cache")}
        self.proc = subprocess.Popen([sys.executable, "-m", "course_lib.cli", *ARGS, "--out",
                                      str(out)], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True)
        self.err = ""
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        for chunk in iter(lambda: self.proc.stderr.read(64), ""):
            self.err += chunk

    def steps_done(self) -> int:
        """The highest step the progress bar has shown."""
        return max((int(n) for n in re.findall(rf"(\d+)/{STEPS} \[", self.err)), default=0)

    def finish(self, timeout: float = 180) -> tuple[str, str]:
        out = self.proc.stdout.read()
        self.proc.wait(timeout)
        self.reader.join(timeout)
        return out, self.err


def exported(run: Path) -> tuple[bytes, list[dict]]:
    """The exported weights file and the history its sidecar records."""
    import json

    weights = run / "landscapes_segmenter.safetensors"
    return weights.read_bytes(), json.loads(weights.with_suffix(".json").read_text())["history"]


def test_ctrl_c_in_course_train_saves_and_the_rerun_matches_an_uninterrupted_run(
        tmp_path, monkeypatch):
    from course_lib.data.landscapes.dataset import cached_split

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    for split, n in (("train", 256), ("val", 16), ("test", 16)):  # render once, for all runs
        cached_split(split, 32, n, progress=False)
    straight = Course(tmp_path / "straight")  # runs beside the interrupted one
    cut = Course(tmp_path / "cut")
    deadline = time.time() + 120
    while cut.steps_done() < 2:  # a few steps done, well before the end
        assert cut.proc.poll() is None and time.time() < deadline, cut.err
        time.sleep(0.05)
    cut.proc.send_signal(signal.SIGINT)
    _, err = cut.finish()
    assert cut.proc.returncode == 130, err
    assert "Traceback" not in err
    assert "run the same command again to resume" in err and "interrupted at step" in err
    step = int(err.split("interrupted at step ")[1].split(";")[0])
    assert 2 <= step < STEPS

    rerun = Course(tmp_path / "cut")
    out, err = rerun.finish()
    assert rerun.proc.returncode == 0, err
    assert f"resuming from step {step} of {STEPS}" in out
    _, err = straight.finish()
    assert straight.proc.returncode == 0, err

    assert not (tmp_path / "cut/checkpoints").exists()  # a finished run keeps no checkpoint
    (a, history_a), (b, history_b) = exported(tmp_path / "cut"), exported(tmp_path / "straight")
    assert history_a == history_b and len(history_a) == 2  # one row per epoch
    assert a == b


def test_stop_ends_the_run_after_the_current_step(tmp_path):
    run = tiny_run(tmp_path / "run")
    for step in run.steps():
        run.history.append({"step": step + 1})
        if step == 2:
            run.stop()  # e.g. the transformer's --max-minutes deadline
    assert [row["step"] for row in run.history] == [1, 2, 3] and run.step == 3
