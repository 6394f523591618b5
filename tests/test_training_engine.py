"""The shared GAN training engine: exact resume, NaN guard, atomic checkpoints, DDP, precision."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from safetensors.torch import load_file
from torch.utils.data import TensorDataset

from course_lib.models.weights_file import atomic_write, latest
from course_lib.training.checkpoint import load_checkpoint
from course_lib.training.gan_task import build_gan_task
from course_lib.training.gan_trainer import GANTrainer, NonFiniteLoss, TrainConfig
from course_lib.training.precision import autocast, make_scaler, resolve_precision
from course_lib.training.samples import image_grid

TINY = {"latent_dim": 8, "g_channels": 8, "d_channels": 4}


pytestmark = pytest.mark.usefixtures("one_thread")


def tiny_data(n: int = 40) -> TensorDataset:
    generator = torch.Generator().manual_seed(123)
    return TensorDataset(torch.rand(n, 1, 28, 28, generator=generator) * 2 - 1,
                         torch.arange(n))


def tiny_trainer(out_dir, seed: int = 0, task=None, **overrides) -> GANTrainer:
    torch.manual_seed(seed)
    task = task or build_gan_task("dcgan", "nonsaturating", **TINY)
    settings = {"steps": 12, "batch_size": 8, "log_every": 4, "sample_every": 4,
                "checkpoint_every": 0, "device": "cpu", "progress": False, **overrides}
    return GANTrainer(task, tiny_data(), TrainConfig(**settings), out_dir=out_dir)


def weights(trainer: GANTrainer) -> dict[str, torch.Tensor]:
    return {f"{n}.{k}": v.clone() for n, net in trainer.nets.items()
            for k, v in net.state_dict().items()}


def test_resume_is_exact(tmp_path):
    """12 steps in one go == 6 steps, a new process-like restart, then 6 more (bitwise on CPU).

    The stop falls in the middle of an epoch (5 batches per epoch) and of a logging interval,
    and the restarted trainer is built from different random weights, so everything that
    matters must come from the checkpoint.
    """
    straight = tiny_trainer(tmp_path / "straight", checkpoint_every=6)
    expected = straight.fit()

    first = tiny_trainer(tmp_path / "split")
    first.fit(steps=6)
    torch.rand(1000)  # random numbers drawn before the restart must not matter
    resumed = tiny_trainer(tmp_path / "split", seed=99)  # finds the checkpoint and loads it
    assert resumed.step == 6
    history = resumed.fit()

    pd.testing.assert_frame_equal(history, expected, check_exact=True)
    assert list(history["step"]) == [4, 8, 12]
    a, b = weights(straight), weights(resumed)
    assert a.keys() == b.keys()
    for key in a:
        assert torch.equal(a[key], b[key]), key
    assert torch.equal(straight.samples[12], resumed.samples[12])


def test_linear_learning_rate_decay_resumes_exactly(tmp_path):
    """The paper schedule of pix2pixHD / SPADE: constant, then linearly to 0 at the last step."""
    straight = tiny_trainer(tmp_path / "straight", lr_decay_from=6)
    assert [straight.learning_rate_factor(s) for s in (0, 5, 6, 9, 12)] == [1, 1, 1, 0.5, 0]
    expected = straight.fit()
    assert straight.optimizers["generator"].param_groups[0]["lr"] == pytest.approx(2e-4 / 6)
    first = tiny_trainer(tmp_path / "split", lr_decay_from=6)
    first.fit(steps=8)
    first.save()
    resumed = tiny_trainer(tmp_path / "split", seed=99, lr_decay_from=6)
    pd.testing.assert_frame_equal(resumed.fit(), expected)
    constant = tiny_trainer(None)
    constant.fit()
    assert constant.optimizers["discriminator"].param_groups[0]["lr"] == 2e-4
    assert not weights(constant)["generator.net.0.weight"].equal(
        weights(straight)["generator.net.0.weight"])


def test_moving_average_of_the_generator(tmp_path):
    """``ema_decay`` averages G without changing training, and resumes bit for bit.

    The live networks of a run with the average equal those of a run without it (the average
    draws no random numbers); the average is the closed-form EMA of the live weights; samples
    come from it; and a restarted run continues the average exactly.
    """
    plain = tiny_trainer(None, sample_every=0)
    plain.fit()
    averaged = tiny_trainer(tmp_path / "straight", sample_every=0, ema_decay=0.5)
    live_g = averaged.nets["generator"]
    ema_by_hand = None
    for step in range(12):
        averaged.fit(steps=step + 1)
        live = {k: v.detach().clone() for k, v in live_g.state_dict().items()
                if v.is_floating_point()}
        ema_by_hand = live if ema_by_hand is None else {
            k: 0.5 * ema_by_hand[k] + 0.5 * live[k] for k in live}
    expected = weights(averaged)
    for key, value in weights(plain).items():
        assert torch.equal(value, expected[key]), key
    ema = averaged.result_generator.state_dict()
    for key, value in ema_by_hand.items():
        torch.testing.assert_close(ema[key], value, rtol=1e-6, atol=1e-7)
    assert not torch.equal(ema["net.0.weight"], live_g.state_dict()["net.0.weight"])
    z = averaged.fixed_inputs
    with torch.no_grad():
        assert torch.equal(averaged.sample(), averaged.result_generator.eval()(z).float())

    first = tiny_trainer(tmp_path / "split", sample_every=0, ema_decay=0.5)
    first.fit(steps=5)
    first.save()
    resumed = tiny_trainer(tmp_path / "split", seed=99, sample_every=0, ema_decay=0.5)
    resumed.fit()
    again = resumed.result_generator.state_dict()
    for key, value in averaged.result_generator.state_dict().items():
        assert torch.equal(value, again[key]), key


def test_checkpoint_files_load_safely(tmp_path):
    trainer = tiny_trainer(tmp_path, steps=4)
    trainer.fit()
    pointer = latest(tmp_path / "checkpoints")
    assert pointer["step"] == 4
    state = torch.load(tmp_path / "checkpoints" / pointer["state"], weights_only=True)
    assert state["step"] == 4 and state["history"][-1]["step"] == 4
    tensors = load_file(str(tmp_path / "checkpoints" / pointer["weights"]))
    assert torch.equal(tensors["generator.net.0.weight"],
                       trainer.nets["generator"].net[0].weight.detach())
    assert (tmp_path / "samples" / "step-000004.png").exists()
    assert (tmp_path / "history.csv").exists()


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    target = tmp_path / "latest.json"
    target.write_text("old")

    def crash(tmp: Path) -> None:
        tmp.write_text("half of the new cont")
        raise OSError("disk full")

    with pytest.raises(OSError):
        atomic_write(target, crash)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["latest.json"]  # no temporary left over


class GoesNaN:
    """Wraps a GAN task so that D's loss becomes NaN from the ``bad_step``-th D step on."""

    def __init__(self, task, bad_step: int):
        self.task, self.bad_step, self.calls = task, bad_step, 0
        self.networks = task.networks

    def d_step(self, nets, batch):
        self.calls += 1
        out = self.task.d_step(nets, batch)
        if self.calls >= self.bad_step:
            out["loss"] = out["loss"] * float("nan")
        return out

    def __getattr__(self, name):
        return getattr(self.task, name)


def test_nan_loss_stops_cleanly_and_keeps_the_last_good_checkpoint(tmp_path, capsys):
    task = GoesNaN(build_gan_task("dcgan", "nonsaturating", **TINY), bad_step=7)
    trainer = tiny_trainer(tmp_path, task=task, checkpoint_every=2, log_every=2)
    before = weights(trainer)
    history = trainer.fit()

    assert trainer.step == 6  # step 7 never happened
    assert "step 7" in trainer.stopped and "d_loss = nan" in trainer.stopped
    assert "step 7" in capsys.readouterr().out
    assert list(history["step"]) == [2, 4, 6]
    assert np.isfinite(history.drop(columns="step").to_numpy()).all()
    assert latest(tmp_path / "checkpoints")["step"] == 6
    saved, _, _ = load_checkpoint(tmp_path / "checkpoints")
    after = weights(trainer)
    for key, value in saved.items():
        if value.is_floating_point():
            assert torch.isfinite(value).all(), key
    for name, net in trainer.nets.items():  # the bad step changed no parameter
        for key, param in net.named_parameters():
            assert torch.equal(saved[f"{name}.{key}"], param.detach()), key
    assert any(not torch.equal(before[k], after[k]) for k in before)  # it did train


def test_save_refuses_non_finite_weights(tmp_path):
    trainer = tiny_trainer(tmp_path, steps=2)
    trainer.fit()
    with torch.no_grad():
        trainer.nets["generator"].net[0].weight[0, 0, 0, 0] = float("nan")
    with pytest.raises(NonFiniteLoss, match="generator"):
        trainer.save()
    assert latest(tmp_path / "checkpoints")["step"] == 2


def test_mixed_precision_choices():
    cpu = torch.device("cpu")
    assert resolve_precision("auto", cpu) == "fp32"
    assert resolve_precision("bf16", cpu) == "bf16"
    with pytest.raises(ValueError):
        resolve_precision("fp8", cpu)
    assert not make_scaler("bf16", cpu).is_enabled()
    with autocast("bf16", cpu):
        assert torch.ones(2, 2).matmul(torch.ones(2, 2)).dtype == torch.bfloat16


def test_bf16_and_channels_last_training_runs_on_cpu(tmp_path):
    trainer = tiny_trainer(None, steps=2, log_every=1, precision="bf16", channels_last=True)
    history = trainer.fit()
    assert np.isfinite(history.drop(columns="step").to_numpy()).all()
    weight = trainer.nets["discriminator"].net[2].weight
    assert weight.dtype == torch.float32  # autocast changes activations, not the weights
    assert weight.is_contiguous(memory_format=torch.channels_last)


def test_history_and_sample_grid_shapes():
    trainer = tiny_trainer(None, steps=4, log_every=2, sample_every=2)
    history = trainer.fit()
    assert list(history.columns) == ["step", "d_loss", "D(x)", "D(G(z))", "g_loss"]
    assert sorted(trainer.samples) == [2, 4]
    assert trainer.samples[4].shape == (64, 1, 28, 28)
    grid = image_grid(trainer.samples[4], nrow=8)
    assert grid.shape == (8 * 30 + 2, 8 * 30 + 2)  # 8 x 8 images of 28 pixels, 2-pixel gaps
    assert grid[:2].max() == 0 and grid[:, :2].max() == 0  # white gaps (0 in "binary")
    assert image_grid(trainer.samples[4][:3], nrow=2).shape == (2 * 30 + 2, 2 * 30 + 2)
    figure = trainer.plot()
    assert len(figure.axes) == 2


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_two_process_ddp_ends_with_identical_weights(tmp_path):
    """torchrun, 2 CPU processes, gloo on the loopback interface only."""
    env = {**os.environ, "GLOO_SOCKET_IFNAME": "lo", "OMP_NUM_THREADS": "1"}
    command = [sys.executable, "-m", "torch.distributed.run", "--nnodes", "1",
               "--nproc_per_node", "2", "--master_addr", "127.0.0.1",
               "--master_port", str(_free_port()),
               "-m", "course_lib.training.ddp_check", "--out", str(tmp_path), "--steps", "4"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    rank0 = load_file(str(tmp_path / "rank-0.safetensors"))
    rank1 = load_file(str(tmp_path / "rank-1.safetensors"))
    assert rank0.keys() == rank1.keys()
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), key
    from safetensors import safe_open

    first = []
    for rank in (0, 1):
        with safe_open(str(tmp_path / f"rank-{rank}.safetensors"), "pt") as f:
            first.append(f.metadata()["first_index"])
    assert first[0] != first[1]  # the ranks read different halves of the data
    assert latest(tmp_path / "run" / "checkpoints")["step"] == 4  # rank 0 wrote checkpoints
