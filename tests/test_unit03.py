"""Unit 03: the assignment checks accept right answers and name the typical wrong ones."""

import pytest
import torch
import torch.nn.functional as F

from course_lib.checks import CheckFailed
from course_lib.checks import unit03 as checks
from course_lib.losses.gan import d_loss_bce, g_loss_nonsaturating, g_loss_saturating


def d_step(generator, discriminator, d_optimizer, real, z, loss_fn, detach=True, zero=True):
    fake = generator(z).detach() if detach else generator(z)
    loss = loss_fn(discriminator(real), discriminator(fake))
    if zero:
        d_optimizer.zero_grad()
    loss.backward()
    d_optimizer.step()
    return loss.item()


def g_step(generator, discriminator, g_optimizer, z, loss_fn, detach=False):
    fake = generator(z)
    loss = loss_fn(discriminator(fake.detach() if detach else fake))
    g_optimizer.zero_grad()
    loss.backward()
    g_optimizer.step()
    return loss.item()


def test_reference_answers_pass():
    checks.check_d_loss(d_loss_bce)
    checks.check_g_losses(g_loss_nonsaturating, g_loss_saturating)
    checks.check_d_step(d_step)
    checks.check_g_step(g_step)


def naive_d_loss(real, fake):
    return -(torch.log(torch.sigmoid(real)).mean() + torch.log(1 - torch.sigmoid(fake)).mean())


@pytest.mark.parametrize(("wrong", "words"), [
    (naive_d_loss, "softplus"),
    (lambda real, fake: d_loss_bce(fake, real), "labels are swapped"),
    (lambda real, fake: F.softplus(-real).sum() + F.softplus(fake).sum(), "Average"),
])
def test_d_loss_slips_are_named(wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_d_loss(wrong)


def test_g_loss_slips_are_named():
    with pytest.raises(CheckFailed, match="label 0"):
        checks.check_g_losses(lambda f: F.softplus(f).mean(), g_loss_saturating)
    with pytest.raises(CheckFailed, match="swapped"):
        checks.check_g_losses(g_loss_saturating, g_loss_nonsaturating)
    with pytest.raises(CheckFailed, match="log\\(0\\)"):
        checks.check_g_losses(g_loss_nonsaturating,
                              lambda f: torch.log(1 - torch.sigmoid(f)).mean())


def test_bce_on_sigmoid_is_caught():
    """nn.BCELoss clamps log at -100, the right answer at +-100: the +-30 logits catch it."""
    bce = torch.nn.BCELoss()

    def d_loss_bce_sigmoid(real, fake):
        return (bce(torch.sigmoid(real), torch.ones_like(real))
                + bce(torch.sigmoid(fake), torch.zeros_like(fake)))

    with pytest.raises(CheckFailed, match="BCELoss"):
        checks.check_d_loss(d_loss_bce_sigmoid)
    with pytest.raises(CheckFailed, match="BCELoss"):
        checks.check_g_loss(lambda f: bce(torch.sigmoid(f), torch.ones_like(f)), "nonsaturating")
    with pytest.raises(CheckFailed, match="BCELoss"):
        checks.check_g_loss(lambda f: -bce(torch.sigmoid(f), torch.zeros_like(f)), "saturating")


def test_each_g_loss_is_checked_on_its_own():
    checks.check_g_loss(g_loss_saturating, "saturating")
    with pytest.raises(CheckFailed, match="swapped"):
        checks.check_g_loss(g_loss_saturating, "nonsaturating")
    with pytest.raises(ValueError, match="kind"):
        checks.check_g_loss(g_loss_saturating, "minimax")


def test_step_slips_are_named():
    with pytest.raises(CheckFailed, match="generator has gradients"):
        checks.check_d_step(lambda *a: d_step(*a, detach=False))
    with pytest.raises(CheckFailed, match="zero_grad"):
        checks.check_d_step(lambda *a: d_step(*a, zero=False))
    with pytest.raises(CheckFailed, match="THROUGH D"):
        checks.check_g_step(lambda *a: g_step(*a, detach=True))
