"""The generators shipped for units 03-04: small, documented, and as good as their sidecars say.

Each sidecar records two measurements with ``score_generator``: the headline figure (2,000
samples against the first 2,000 test images) and a ``check`` figure on 500 samples, which this
test repeats. The repeat uses the same shipped weights, the same noise (seeded) and the same
real images, so the only possible difference is floating-point round-off between machines
(BLAS kernels, thread counts): the FID may move by well under 1%, the class histogram of 500
samples by at most a prediction or two. The tolerances below allow exactly that, and nothing
a retrained or damaged checkpoint could hide in.
"""

import pytest
import torch

from course_lib.metrics.generator_scores import confident_by_class, score_generator
from course_lib.models.fashion_gan import (
    SHIPPED_GENERATORS,
    load_shipped_generator,
    shipped_generator_info,
    shipped_generator_path,
)
from course_lib.training.gan_run import sample_grid


@pytest.mark.parametrize("name", sorted(SHIPPED_GENERATORS))
def test_shipped_generator_is_small_and_documented(name):
    path = shipped_generator_path(name)
    assert path.stat().st_size < 5 * 2**20
    info = shipped_generator_info(name)
    for key in ("command", "seed", "date", "steps", "quality", "check"):
        assert key in info, key
    assert info["quality"]["n"] == 2000 and info["check"]["n"] == 500
    generator = load_shipped_generator(name)
    with torch.no_grad():
        images = generator(torch.randn(4, generator.config.latent_dim))
    assert images.shape == (4, 1, 28, 28) and images.dtype == torch.float32
    assert images.min() >= -1 and images.max() <= 1


@pytest.mark.parametrize("name", sorted(SHIPPED_GENERATORS))
def test_shipped_generator_reproduces_its_recorded_quality(name, one_thread):
    check = shipped_generator_info(name)["check"]
    got = score_generator(load_shipped_generator(name), check["n"], check["sample_seed"])
    assert got["fid"] == pytest.approx(check["fid"], rel=0.01)
    assert abs(got["covered"] - check["covered"]) <= 1
    assert got["kl_to_uniform"] == pytest.approx(check["kl_to_uniform"], abs=0.01)


def test_confident_by_class_splits_the_confident_share_by_predicted_class():
    """Class 0 gets two images, one of them sure (0.95 >= 0.9); class 2 one unsure image;
    class 1 none (NaN)."""
    import numpy as np

    probabilities = np.array([[0.95, 0.05, 0.0], [0.6, 0.3, 0.1], [0.2, 0.3, 0.5]])
    np.testing.assert_array_equal(confident_by_class(probabilities), [0.5, np.nan, 0.0])


def test_unknown_shipped_name_lists_the_choices():
    with pytest.raises(ValueError, match="lsgan_dcgan"):
        shipped_generator_path("stylegan")


def test_course_sample_accepts_a_shipped_name(tmp_path, one_thread):
    out = sample_grid("lsgan_dcgan", tmp_path / "grid.png", n=16, nrow=4)
    assert out.is_file() and out.stat().st_size > 0


@pytest.mark.parametrize("name", ["gan_dcgan", "lsgan_dcgan"])
def test_progress_file_belongs_to_the_shipped_generator(name):
    """Unit 04's pictures over training end with the shipped generator's own samples."""
    from course_lib.models.fashion_gan import (
        PROGRESS_SAMPLES,
        load_progress,
        sample,
    )

    epochs, images = load_progress(name)
    history = shipped_generator_info(name)["epochs_history"]
    assert epochs == [row["epoch"] for row in history] and len(epochs) >= 10
    assert images.shape == (len(epochs), PROGRESS_SAMPLES, 1, 28, 28)
    final = sample(load_shipped_generator(name), PROGRESS_SAMPLES, seed=0)
    assert (images[-1] - final).abs().max() < 0.02  # uint8 rounding and fp16 weights only
    assert (images[0] - final).abs().mean() > 0.1  # the first epoch drew something else
