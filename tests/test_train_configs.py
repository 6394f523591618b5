"""One configuration rule: a train config's ``None`` sizes come from the profile (issue 16)."""

from __future__ import annotations

import pytest

from course_lib.training.classifier import ClassifierTrainConfig
from course_lib.training.clip import ClipTrainConfig
from course_lib.training.segmenter import SegmenterTrainConfig
from course_lib.training.super_resolution import SRTrainConfig
from course_lib.training.transformer import TransformerTrainConfig
from course_lib.training.vqgan_run import DecoderFinetuneConfig, VQGANTrainConfig

SIZES = {  # config: {field: (full, fast)}
    VQGANTrainConfig: {"steps": (2400, 20), "n_train": (20_000, 500), "n_test": (1_000, 100)},
    DecoderFinetuneConfig: {"steps": (2400, 20), "n_train": (20_000, 500),
                            "n_test": (1_000, 100)},
    TransformerTrainConfig: {"steps": (3000, 20), "n_train": (10_000, 300), "n_test": (500, 50)},
    SegmenterTrainConfig: {"n_train": (9_000, 512), "n_test": (1000, 200), "epochs": (4, 1)},
    ClipTrainConfig: {"n_train": (10_000, 256), "n_test": (500, 100), "steps": (700, 10)},
    SRTrainConfig: {"n_train": (3000, 64), "n_test": (200, 16), "steps": (1000, 10)},
}


@pytest.mark.parametrize("profile", ["full", "fast"])
@pytest.mark.parametrize("config", list(SIZES), ids=lambda c: c.__name__)
def test_none_sizes_come_from_the_profile(config, profile, monkeypatch):
    monkeypatch.setenv("COURSE_PROFILE", profile)
    filled = config().filled()
    for name, (full, fast) in SIZES[config].items():
        assert getattr(filled, name) == (full if profile == "full" else fast)
    given = config(**{name: 7 for name in SIZES[config]}).filled()
    assert all(getattr(given, name) == 7 for name in SIZES[config])  # given sizes stay


def test_the_classifier_config_holds_what_the_command_sets():
    config = ClassifierTrainConfig(limit=1024, device="cpu", threads=2)
    assert (config.epochs, config.limit, config.device, config.threads) == (10, 1024, "cpu", 2)
