"""Unit 04: the assignment checks accept the DCGAN/LSGAN recipe and name the typical slips."""

import pytest
from torch import nn

from course_lib.checks import CheckFailed
from course_lib.checks import unit04 as checks
from course_lib.models.dcgan import dcgan_init


def d_loss(real, fake, a=0.0, b=1.0):
    return 0.5 * ((real - b) ** 2).mean() + 0.5 * ((fake - a) ** 2).mean()


def g_loss(fake, c=1.0):
    return 0.5 * ((fake - c) ** 2).mean()


def g_block(i, o):
    return nn.Sequential(nn.ConvTranspose2d(i, o, 4, 2, 1, bias=False), nn.BatchNorm2d(o),
                         nn.ReLU())


def d_block(i, o, batch_norm=True):
    norm = [nn.BatchNorm2d(o)] if batch_norm else []
    return nn.Sequential(nn.Conv2d(i, o, 4, 2, 1, bias=not batch_norm), *norm, nn.LeakyReLU(0.2))


def generator(latent_dim=100, g_channels=128, output_bn=False):
    out_norm = [nn.BatchNorm2d(1)] if output_bn else []
    return nn.Sequential(nn.Unflatten(1, (latent_dim, 1, 1)),
                         nn.ConvTranspose2d(latent_dim, g_channels, 7, bias=False),
                         nn.BatchNorm2d(g_channels), nn.ReLU(),
                         g_block(g_channels, g_channels // 2),
                         nn.ConvTranspose2d(g_channels // 2, 1, 4, 2, 1), *out_norm, nn.Tanh())


def discriminator(d_channels=64, input_bn=False):
    return nn.Sequential(d_block(1, d_channels, batch_norm=input_bn),
                         d_block(d_channels, 2 * d_channels), nn.Flatten(),
                         nn.Linear(2 * d_channels * 49, 1))


def test_recipe_passes_and_matches_course_lib_sizes():
    checks.check_lsgan_losses(d_loss, g_loss)
    checks.check_lsgan_losses(d_loss, g_loss, a=-1.0, b=1.0, c=0.0)
    checks.check_generator_block(g_block)
    checks.check_discriminator_block(d_block)
    checks.check_generator(generator)
    checks.check_discriminator(discriminator, d_channels=8)
    checks.check_dcgan_init(dcgan_init)


def test_loss_slips_are_named():
    with pytest.raises(CheckFailed, match="swapped"):
        checks.check_lsgan_losses(lambda r, f, a=0.0, b=1.0: d_loss(r, f, b, a), g_loss)
    with pytest.raises(CheckFailed, match="1/2"):
        checks.check_lsgan_losses(lambda r, f, a=0.0, b=1.0: 2 * d_loss(r, f, a, b), g_loss)
    with pytest.raises(CheckFailed, match="towards -1, .* FAKES"):
        checks.check_lsgan_losses(d_loss, lambda f, c=1.0: g_loss(f, -1.0), -1.0, 1.0, 0.0)
    with pytest.raises(CheckFailed, match="towards 0, not towards the c you were given \\(1\\)"):
        checks.check_lsgan_g_loss(lambda f, c=1.0: g_loss(f, 0.0))  # the default 0-1-1 coding
    with pytest.raises(CheckFailed, match="towards 1, not towards the c you were given \\(0\\)"):
        checks.check_lsgan_g_loss(lambda f, c=1.0: g_loss(f, 1.0), c=0.0, a=-1.0)
    checks.check_lsgan_d_loss(d_loss, a=-1.0)


def test_architecture_slips_are_named():
    with pytest.raises(CheckFailed, match="No batch norm right after D's first"):
        checks.check_discriminator(lambda d_channels=64: discriminator(d_channels, True))
    with pytest.raises(CheckFailed, match="no batch norm"):
        checks.check_generator(lambda latent_dim=100, g_channels=128:
                               generator(latent_dim, g_channels, output_bn=True))
    with pytest.raises(CheckFailed, match="Conv2d -> LeakyReLU"):
        checks.check_discriminator_block(lambda i, o, batch_norm=True: d_block(i, o, True))


def test_activation_slips_are_caught_by_copying_weights():
    """Counts cannot see activations; the reference module with the same weights can."""
    def no_first_relu(latent_dim=100, g_channels=128):
        net = generator(latent_dim, g_channels)
        return nn.Sequential(*[m for i, m in enumerate(net) if i != 3])  # drops the ReLU

    def relu_before_bn(latent_dim=100, g_channels=128):
        net = generator(latent_dim, g_channels)
        return nn.Sequential(net[0], net[1], net[3], net[2], *net[4:])

    def no_leaky_relu(d_channels=64):
        net = discriminator(d_channels)
        return nn.Sequential(net[0][0], *net[1:])

    for wrong in (no_first_relu, relu_before_bn):
        with pytest.raises(CheckFailed, match="activations and their order"):
            checks.check_generator(wrong, latent_dim=16, g_channels=32)
    with pytest.raises(CheckFailed, match="activations and their order"):
        checks.check_discriminator(no_leaky_relu, d_channels=8)


def _init(std=0.02, deep=True, uniform=False):
    def init(module):
        for m in module.modules() if deep else module.children():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                if uniform:
                    nn.init.uniform_(m.weight, -std * 3 ** 0.5, std * 3 ** 0.5)
                else:
                    nn.init.normal_(m.weight, 0.0, std)
                nn.init.zeros_(m.bias)
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.normal_(m.weight, 1.0, 0.02)
                nn.init.zeros_(m.bias)
    return init


@pytest.mark.parametrize(("wrong", "words"), [
    (_init(std=0.2), "std 0.2"),
    (_init(deep=False), "module.modules"),
    (_init(uniform=True), "NORMAL"),
])
def test_init_slips_are_named(wrong, words):
    with pytest.raises(CheckFailed, match=words):
        checks.check_dcgan_init(wrong)
