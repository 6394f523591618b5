"""The 2-D mixture experiment: data, exact mode coverage, and a short run of the engine."""

from __future__ import annotations

import math

import pytest
import torch

from course_lib.data.toy2d import ring_centres, ring_of_gaussians
from course_lib.metrics.modes import mode_coverage
from course_lib.training.toy_run import ToyProtocol, compare_losses


def test_ring_centres_lie_on_the_circle_evenly_spaced():
    centres = ring_centres(8, radius=2.0)
    assert torch.allclose(centres.norm(dim=1), torch.full((8,), 2.0), atol=1e-6)
    gaps = (centres - centres.roll(1, dims=0)).norm(dim=1)
    assert torch.allclose(gaps, torch.full((8,), 4 * math.sin(math.pi / 8)), atol=1e-5)


def test_real_data_covers_every_mode_with_high_quality():
    score = mode_coverage(ring_of_gaussians(4000, std=0.02, seed=1), ring_centres(), 0.02)
    assert score.covered == 8
    assert score.high_quality > 0.98  # 3 std in 2-D holds ~98.9 % of a Gaussian
    assert sum(score.per_mode) == pytest.approx(score.high_quality)


def test_collapse_and_smear_are_told_apart():
    centres = ring_centres()
    collapsed = centres[3] + 0.01 * torch.randn(500, 2, generator=torch.Generator().manual_seed(0))
    one = mode_coverage(collapsed, centres, 0.02)
    assert one.covered == 1 and one.high_quality > 0.99
    smear = 2.5 * torch.randn(500, 2, generator=torch.Generator().manual_seed(1))
    blurred = mode_coverage(smear, centres, 0.02)
    assert blurred.high_quality < 0.05


def test_a_short_comparison_runs_and_scores_every_seed(one_thread):
    protocol = ToyProtocol(steps=40, batch_size=64, n_data=1000, n_samples=200,
                           snapshot_every=20)
    table, runs = compare_losses(("nonsaturating", "lsgan"), (0, 1), protocol)
    assert list(table["loss"]) == ["nonsaturating"] * 2 + ["lsgan"] * 2
    assert table["modes covered"].between(0, 8).all()
    assert sorted(runs["lsgan", 0].snapshots) == [20, 40]
    assert runs["lsgan", 0].snapshots[40].shape == (200, 2)
