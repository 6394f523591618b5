"""Fashion-MNIST generator metrics: Frechet distance (closed forms), inputs, class coverage."""

import numpy as np
import pytest
import torch

from course_lib.metrics.coverage import coverage_from_predictions, kl_to_uniform
from course_lib.metrics.fashion_features import to_unit_images
from course_lib.metrics.fid import fashion_fid, feature_statistics, frechet_distance


def _diagonal_closed_form(mu1, var1, mu2, var2) -> float:
    # For commuting covariances: |mu1 - mu2|^2 + sum (sqrt(var1) - sqrt(var2))^2
    return float(np.sum((mu1 - mu2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2))


def test_frechet_distance_matches_the_closed_form_for_diagonal_covariances():
    mu1, mu2 = np.array([0.0, 1.0, -2.0]), np.array([1.0, 1.0, 0.5])
    var1, var2 = np.array([1.0, 4.0, 0.25]), np.array([9.0, 1.0, 0.25])
    got = frechet_distance(mu1, np.diag(var1), mu2, np.diag(var2))
    # 1 + 0 + 6.25 for the means, 4 + 1 + 0 for the spreads
    assert got == pytest.approx(12.25, rel=1e-9)
    assert got == pytest.approx(_diagonal_closed_form(mu1, var1, mu2, var2), rel=1e-9)


def test_frechet_distance_for_rotated_covariances_sharing_eigenvectors():
    rng = np.random.default_rng(0)
    rotation, _ = np.linalg.qr(rng.normal(size=(6, 6)))
    var1, var2 = rng.uniform(0.1, 3, 6), rng.uniform(0.1, 3, 6)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    sigma1 = rotation @ np.diag(var1) @ rotation.T
    sigma2 = rotation @ np.diag(var2) @ rotation.T
    got = frechet_distance(mu1, sigma1, mu2, sigma2)
    assert got == pytest.approx(_diagonal_closed_form(mu1, var1, mu2, var2), rel=1e-6)
    assert frechet_distance(mu2, sigma2, mu1, sigma1) == pytest.approx(got, rel=1e-6)


def test_frechet_distance_handles_singular_covariances():
    # Two degenerate Gaussians on perpendicular lines: Tr(S1 S2)^(1/2) = 0, distance = 1 + 1.
    got = frechet_distance(np.zeros(2), np.diag([1.0, 0.0]), np.zeros(2), np.diag([0.0, 1.0]))
    assert got == pytest.approx(2.0, abs=1e-6)
    rng = np.random.default_rng(1)
    low_rank = rng.normal(size=(50, 3))  # 50-d features of rank 3: singular covariance
    feats = low_rank @ rng.normal(size=(3, 50))
    mu, sigma = feature_statistics(feats)
    assert frechet_distance(mu, sigma, mu, sigma) == pytest.approx(0.0, abs=1e-4)


def test_feature_statistics_of_two_samples_of_one_gaussian_are_close():
    rng = np.random.default_rng(2)
    a, b = rng.normal(size=(20_000, 4)), rng.normal(size=(20_000, 4))
    shifted = b + np.array([3.0, 0, 0, 0])
    fid_same = frechet_distance(*feature_statistics(a), *feature_statistics(b))
    fid_shift = frechet_distance(*feature_statistics(a), *feature_statistics(shifted))
    assert fid_same < 0.01
    assert fid_shift == pytest.approx(9.0, rel=0.02)


def test_feature_statistics_rejects_a_single_sample():
    with pytest.raises(ValueError, match="N >= 2"):
        feature_statistics(np.zeros((1, 4)))


def test_images_are_accepted_in_all_documented_forms():
    rng = np.random.default_rng(0)
    unit = rng.random((3, 28, 28)).astype(np.float32)
    expected = torch.from_numpy(unit).unsqueeze(1)
    assert torch.allclose(to_unit_images(unit), expected)
    assert torch.allclose(to_unit_images(expected), expected)
    assert torch.allclose(to_unit_images(unit * 2 - 1, value_range="symmetric"), expected,
                          atol=1e-6)
    as_bytes = (unit * 255).round().astype(np.uint8)
    assert torch.allclose(to_unit_images(as_bytes), torch.from_numpy(as_bytes / 255.0)
                          .float().unsqueeze(1))


def test_symmetric_images_passed_as_unit_are_refused_with_a_hint():
    images = np.linspace(-1, 1, 2 * 28 * 28).reshape(2, 28, 28)
    with pytest.raises(ValueError, match="value_range='symmetric'"):
        to_unit_images(images)
    with pytest.raises(ValueError, match="shape"):
        to_unit_images(np.zeros((2, 3, 28, 28)))


def test_coverage_counts_classes_and_measures_balance():
    uniform = coverage_from_predictions(np.repeat(np.arange(10), 50))
    assert uniform.covered == 10 and uniform.kl_to_uniform == pytest.approx(0.0)
    collapsed = coverage_from_predictions(np.full(500, 3))
    assert collapsed.covered == 1
    assert collapsed.kl_to_uniform == pytest.approx(np.log(10))
    # 1% of the samples in class 9 is a stray prediction at the default 2% threshold
    stray = coverage_from_predictions(np.r_[np.repeat(np.arange(9), 11), [9]])
    assert stray.covered == 9
    assert coverage_from_predictions(stray_predictions := np.r_[np.repeat(np.arange(9), 11), [9]],
                                     min_share=0.005).covered == 10
    assert len(stray_predictions) == 100
    assert "9/10 classes" in str(stray)


def test_kl_to_uniform_of_two_classes_is_log_five():
    assert kl_to_uniform([0.5, 0.5] + [0] * 8) == pytest.approx(np.log(5))


def test_fid_runs_on_any_network_with_features():
    from course_lib.models.fashion_cnn import FashionCNN

    torch.manual_seed(0)
    net = FashionCNN().eval()
    images = torch.rand(300, 1, 28, 28)
    assert fashion_fid(images, images, net=net) == pytest.approx(0.0, abs=1e-3)
    same_kind = torch.rand(300, 1, 28, 28)
    darker = images * 0.3
    assert fashion_fid(images, darker, net=net) > fashion_fid(images, same_kind, net=net)
    with pytest.raises(ValueError, match="shipped network"):
        fashion_fid(images, "test", net=net)
