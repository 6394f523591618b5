"""course_lib.config: profiles, the size helper, seeding, device and folders."""

import numpy as np
import pytest
import torch

from course_lib import config


def test_profile_defaults_to_full(monkeypatch):
    monkeypatch.delenv("COURSE_PROFILE", raising=False)
    assert config.profile() == "full"
    assert config.by_profile(full=60_000, fast=2_000) == 60_000


def test_fast_profile_picks_the_fast_size(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "FAST")
    assert config.profile() == "fast"
    assert config.by_profile(full=60_000, fast=2_000) == 2_000


def test_unknown_profile_is_a_clear_error(monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", "quick")
    with pytest.raises(ValueError, match="COURSE_PROFILE='quick'.*fast.*full"):
        config.profile()


def test_seed_everything_repeats_numpy_and_torch():
    config.seed_everything(3)
    first = (np.random.rand(3), torch.rand(3))
    config.seed_everything(3)
    second = (np.random.rand(3), torch.rand(3))
    assert np.array_equal(first[0], second[0]) and torch.equal(first[1], second[1])


def test_pick_device_honours_a_forced_choice(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert config.pick_device().type == "cpu"
    monkeypatch.delenv("COURSE_DEVICE")
    assert config.pick_device().type in {"cuda", "mps", "cpu"}


def test_folders_follow_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    assert config.data_dirs()[0] == tmp_path / "data"
    assert config.cache_dir() == tmp_path / "cache" and (tmp_path / "cache").is_dir()
    assert config.keras_home() == tmp_path / "keras"
