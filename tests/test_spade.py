"""SPADE (unit 06): layer, blocks, generator, style encoder, losses, task, painter, checkpoint."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from torch import nn
from torch.nn import functional as F

from course_lib.checks import CheckFailed
from course_lib.checks import unit06 as checks
from course_lib.losses.hinge import (
    d_loss_hinge,
    g_loss_hinge,
    hinge_d_multiscale,
    hinge_g_multiscale,
)
from course_lib.losses.kl import kl_divergence
from course_lib.models.spade import (
    SPADE,
    SPADEConfig,
    SPADEGenerator,
    SPADEResBlock,
    StyledSPADE,
    StyleEncoder,
    count_parameters,
    encoder_params,
    generator_params,
    reparameterize,
)

pytestmark = pytest.mark.usefixtures("one_thread")

#: The official implementation's generator with --use_vae on ADE20K at 256 px (151 label
#: channels, ngf 64, z 256, "normal" upsampling): derived by hand in the report / params.py.
PAPER_GENERATOR = 111_942_595
PAPER_ENCODER = 10_463_424


def tiny(**changes) -> SPADEConfig:
    base = dict(label_nc=4, image_size=16, ngf=4, z_dim=8, mults=(4, 2, 1),
                upsample=(False, True, True), hidden=8, ndf_encoder=4, encoder_size=16)
    return SPADEConfig(**{**base, **changes})


def one_hot(labels: torch.Tensor, classes: int) -> torch.Tensor:
    return F.one_hot(labels.long(), classes).permute(0, 3, 1, 2).float()


def test_paper_parameter_counts_by_hand_and_by_counting():
    assert generator_params(SPADEConfig()) == PAPER_GENERATOR
    assert encoder_params(SPADEConfig()) == PAPER_ENCODER
    with torch.device("meta"):  # no memory for 112 M parameters; spectral norm adds none
        generator = SPADEGenerator(SPADEConfig(spectral_norm=False))
        encoder = StyleEncoder(SPADEConfig(spectral_norm=False))
    assert count_parameters(generator) == PAPER_GENERATOR
    assert count_parameters(encoder) == PAPER_ENCODER


def test_paper_discriminator_count():
    from course_lib.models.pix2pixhd.discriminator import MultiscaleDiscriminator
    from course_lib.models.spade.params import discriminator_params

    assert discriminator_params() == 5_836_930  # official: biases removed before instance norm
    with torch.device("meta"):
        reused = MultiscaleDiscriminator(151 + 3, ndf=64, n_layers=3, num_d=2)
    assert count_parameters(reused) == discriminator_params(normed_bias=True) == 5_838_722


def _conv(cin: int, cout: int, k: int, bias: bool = True) -> int:
    return k * k * cin * cout + (cout if bias else 0)


def _hand_generator_blocks(c: SPADEConfig) -> dict[str, int]:
    """Every block of the generator counted from the formulas (independent of params.py)."""
    first = c.mults[0] * c.ngf
    sh, sw = c.start_size
    out = {"fc": (c.z_dim * first * sh * sw + first * sh * sw) if c.use_vae
           else _conv(c.label_nc, first, 3)}

    def spade(ch):  # shared conv, then gamma and beta
        return _conv(c.label_nc, c.hidden, 3) + 2 * _conv(c.hidden, ch, 3)

    for i, (fin, fout) in enumerate(zip((c.mults[0],) + c.mults[:-1], c.mults, strict=True)):
        fin, fout = fin * c.ngf, fout * c.ngf
        mid = min(fin, fout)
        n = _conv(fin, mid, 3) + _conv(mid, fout, 3) + spade(fin) + spade(mid)
        if fin != fout:
            n += _conv(fin, fout, 1, bias=False) + spade(fin)
        out[f"blocks.{i}"] = n
    out["conv_img"] = _conv(c.mults[-1] * c.ngf, 3, 3)
    return out


# fc by hand: with the VAE Linear(256 -> 1024 * sh * sw) on the 8x8 (ADE20K) or 4x8
# (Cityscapes) grid, 256 * 65,536 + 65,536 and 256 * 32,768 + 32,768; without it
# Conv2d(label channels -> 1024, 3x3), 9 * 151 * 1024 + 1024 and 9 * 36 * 1024 + 1024.
@pytest.mark.parametrize("config, official, fc", [
    (SPADEConfig(), 111_942_595, 16_842_752), (SPADEConfig(use_vae=False), 96_492_483, 1_392_640),
    (SPADEConfig.cityscapes(), 101_136_579, 8_421_376),
    (SPADEConfig.cityscapes(use_vae=False), 93_048_003, 332_800),
], ids=["ade20k-vae", "ade20k", "cityscapes-vae", "cityscapes"])
def test_official_generator_counts_block_by_block(config, official, fc):
    with torch.device("meta"):
        g = SPADEGenerator(dataclasses.replace(config, spectral_norm=False))
    hand = _hand_generator_blocks(config)
    assert hand["fc"] == fc
    built = {"fc": count_parameters(g.fc), "conv_img": count_parameters(g.conv_img)}
    built.update({f"blocks.{i}": count_parameters(b) for i, b in enumerate(g.blocks)})
    assert built == hand
    assert sum(hand.values()) == count_parameters(g) == generator_params(config) == official


def test_generator_without_vae_reads_the_map_not_z():
    g = SPADEGenerator(tiny(use_vae=False)).eval()
    assert isinstance(g.fc, nn.Conv2d) and g.fc.in_channels == 4
    maps = one_hot(torch.randint(0, 4, (2, 16, 16)), 4)
    assert torch.equal(g(maps, torch.randn(2, 8)), g(maps, torch.randn(2, 8)))
    other = one_hot(torch.randint(0, 4, (2, 16, 16)), 4)
    assert not torch.equal(g(maps), g(other))
    assert StyledSPADE(tiny(use_vae=False)).encoder is None  # no z to encode


@pytest.mark.parametrize("label_nc, official", [(36, 5_601_410), (151, 5_836_930)],
                         ids=["cityscapes", "ade20k"])
def test_official_spade_discriminator_count_and_layout(label_nc, official):
    from course_lib.models.spade.params import discriminator_params
    from course_lib.training.spade_task import SPADELossConfig, build_spade_discriminator

    with torch.device("meta"):  # official: ndf 64, n_layers_D 4, 2 scales, spectralinstance
        d = build_spade_discriminator(label_nc, SPADELossConfig())
    hand = [_conv(label_nc + 3, 64, 4), _conv(64, 128, 4, False), _conv(128, 256, 4, False),
            _conv(256, 512, 4, False), _conv(512, 1, 4)]
    for scale in d.discriminators:
        assert [count_parameters(layer) for layer in scale.layers] == hand
        convs = [m for m in scale.modules() if isinstance(m, nn.Conv2d)]
        spectral = [nn.utils.parametrize.is_parametrized(m) for m in convs]
        assert spectral == [False, True, True, True, False]
        assert [m.bias is not None for m in convs] == [True, False, False, False, True]
        assert [m.stride for m in convs] == [(2, 2)] * 3 + [(1, 1)] * 2  # official strides
    assert count_parameters(d) == 2 * sum(hand) == discriminator_params(label_nc) == official


def test_course_discriminator_is_unit_05s_with_spectral_norm():
    """The course D is unchanged by the official n_layers_D counting: unit 05's course PatchGAN
    (9 + 3 channels in, ndf 16, 3 scales, biases kept), spectral norm on all five convs."""
    from course_lib.models.pix2pixhd import MultiscaleDiscriminator, Pix2PixHDConfig
    from course_lib.models.spade.params import discriminator_params
    from course_lib.training.spade_task import SPADELossConfig, build_spade_discriminator

    d = build_spade_discriminator(9, SPADELossConfig.course())
    hand = [_conv(12, 16, 4), _conv(16, 32, 4), _conv(32, 64, 4), _conv(64, 128, 4),
            _conv(128, 1, 4)]
    for scale in d.discriminators:
        assert [count_parameters(layer) for layer in scale.layers] == hand
    p2p = Pix2PixHDConfig.course()
    unit05 = MultiscaleDiscriminator(p2p.discriminator_in_channels, p2p.ndf, p2p.n_layers_d,
                                     p2p.num_d)

    def convs(net):
        return [(m.in_channels, m.out_channels, m.kernel_size, m.stride, m.padding,
                 m.bias is not None, nn.utils.parametrize.is_parametrized(m))
                for m in net.modules() if isinstance(m, nn.Conv2d)]

    assert convs(d) == [c[:-1] + (True,) for c in convs(unit05)]  # + spectral norm
    assert count_parameters(d) == 3 * sum(hand) == count_parameters(unit05) == 532_179
    assert discriminator_params(9, 16, 3, normed_bias=True) == 532_179


def test_loss_config_counts_layers_as_the_official_code():
    from course_lib.training.spade_task import SPADELossConfig, build_spade_task

    task = build_spade_task(tiny(), SPADELossConfig(ndf=4))
    convs = [m for m in task.networks["discriminator"].discriminators[0].modules()
             if isinstance(m, nn.Conv2d)]
    assert len(convs) == 5  # n_layers_D=4: four convolutions, then the score layer
    # the course's D: unit 05's (biases kept) with spectral norm on all five convolutions
    course = build_spade_task(tiny(), SPADELossConfig.course()).networks["discriminator"]
    convs = [m for m in course.discriminators[0].modules() if isinstance(m, nn.Conv2d)]
    assert len(course.discriminators) == 3 and len(convs) == 5
    assert all(m.bias is not None and nn.utils.parametrize.is_parametrized(m) for m in convs)
    with pytest.raises(ValueError, match="n_layers_D must be at least 2"):
        SPADELossConfig(n_layers_D=1)
    with pytest.raises(ValueError, match="norm_D must be one of"):
        SPADELossConfig(norm_D="batch")
    from course_lib.models.pix2pixhd.discriminator import MultiscaleDiscriminator

    with pytest.raises(ValueError, match="norm_d must be one of"):
        MultiscaleDiscriminator(7, norm_d="batch")


def test_spectral_norm_adds_no_parameters_and_course_counts_match():
    for config in (tiny(), SPADEConfig.course()):
        plain = StyledSPADE(dataclasses.replace(config, spectral_norm=False))
        spectral = StyledSPADE(config)
        assert count_parameters(plain) == count_parameters(spectral)
        assert count_parameters(spectral.generator) == generator_params(config)
        assert count_parameters(spectral.encoder) == encoder_params(config)
    assert 1_000_000 < generator_params(SPADEConfig.course()) < 2_500_000


def test_spade_layer_passes_the_assignment_check():
    checks.check_spade_layer(lambda channels, label_nc, hidden: SPADE(channels, label_nc, hidden))


def test_spade_layer_keeps_the_class_after_pix2pixhd_loses_it():
    """The unit 05 flaw: a uniform map through conv + instance norm gives the same output for
    every class; SPADE's output differs from class to class."""
    torch.manual_seed(0)
    x = torch.randn(1, 6, 8, 8)
    conv, norm = nn.Conv2d(3, 6, 3, padding=1, padding_mode="reflect"), nn.InstanceNorm2d(6)
    maps = [one_hot(torch.full((1, 8, 8), k), 3) for k in range(3)]
    flat = [norm(conv(m)) for m in maps]
    assert all(f.abs().max() < 1e-3 for f in flat)  # all (numerically) zero: class forgotten
    layer = SPADE(6, 3, hidden=8, norm="instance")
    outs = [layer(x, m) for m in maps]
    assert (outs[0] - outs[1]).abs().max() > 1e-3 and (outs[1] - outs[2]).abs().max() > 1e-3


@pytest.mark.parametrize("mode", ["bilinear", "area"])
def test_check_rejects_other_resize_modes(mode, monkeypatch):
    class Blurred(SPADE):
        def modulation(self, segmap, size):
            hidden = self.shared(F.interpolate(segmap, size=tuple(size), mode=mode))
            return self.gamma(hidden), self.beta(hidden)

    with pytest.raises(CheckFailed, match="nearest"):
        checks.check_spade_layer(lambda c, n, h: Blurred(c, n, h))


def test_check_rejects_affine_norm_and_map_free_modulation():
    class Affine(SPADE):
        def __init__(self, channels, label_nc, hidden):
            super().__init__(channels, label_nc, hidden)
            self.norm = nn.BatchNorm2d(channels, affine=True)

    class Blind(SPADE):
        def forward(self, x, segmap):
            gamma, beta = self.modulation(torch.zeros_like(segmap), x.shape[-2:])
            return self.norm(x) * (1 + gamma) + beta

    with pytest.raises(CheckFailed, match="affine"):
        checks.check_spade_layer(lambda c, n, h: Affine(c, n, h))
    with pytest.raises(CheckFailed, match="does not depend on the segmentation map"):
        checks.check_spade_layer(lambda c, n, h: Blind(c, n, h))


def test_check_rejects_shared_conv_without_relu():
    """Counts, per-pixel and resize tests all pass without the ReLU; copied weights do not."""
    class NoReLU(SPADE):
        def __init__(self, channels, label_nc, hidden):
            super().__init__(channels, label_nc, hidden)
            self.shared = nn.Sequential(self.shared[0])

    with pytest.raises(CheckFailed, match="ReLU after the shared convolution"):
        checks.check_spade_layer(lambda c, n, h: NoReLU(c, n, h))


def test_resblock_learns_the_shortcut_only_when_channels_change():
    same, change = SPADEResBlock(8, 8, 3, 8), SPADEResBlock(8, 4, 3, 8)
    assert not same.learned_shortcut and len(same.spade_layers()) == 2
    assert change.learned_shortcut and len(change.spade_layers()) == 3
    x, segmap = torch.randn(2, 8, 6, 6), one_hot(torch.randint(0, 3, (2, 12, 12)), 3)
    assert change(x, segmap).shape == (2, 4, 6, 6)


def test_generator_shapes_noise_and_tree_layers():
    torch.manual_seed(0)
    generator = SPADEGenerator(tiny()).eval()
    segmap = one_hot(torch.randint(0, 4, (3, 16, 16)), 4)
    z = generator.noise(3)
    out = generator(segmap, z)
    assert out.shape == (3, 3, 16, 16) and out.abs().max() <= 1
    assert torch.equal(out, generator(segmap, z))
    assert (out - generator(segmap, generator.noise(3))).abs().max() > 1e-4
    sizes = [size for _, _, size in generator.spade_layers()]
    assert sizes[0] == (4, 4) and sizes[-1] == (16, 16)
    name, layer, size = generator.spade_layers()[-1]
    gamma, beta = layer.modulation(segmap, size)
    assert gamma.shape[-2:] == (16, 16) and name.startswith("blocks.2")


def test_encoder_reparameterisation_and_kl():
    torch.manual_seed(0)
    encoder = StyleEncoder(tiny())
    mu, logvar = encoder(torch.rand(2, 3, 32, 32) * 2 - 1)  # resized to 16 px inside
    assert mu.shape == logvar.shape == (2, 8)
    checks.check_reparameterize(reparameterize)
    checks.check_kl(lambda m, lv: kl_divergence(m, lv, reduction="mean"))
    mu, logvar = torch.randn(4, 6), torch.randn(4, 6)
    reference = torch.distributions.kl_divergence(
        torch.distributions.Normal(mu, torch.exp(0.5 * logvar)),
        torch.distributions.Normal(torch.zeros(4, 6), torch.ones(4, 6))).sum()
    assert torch.allclose(kl_divergence(mu, logvar), reference, atol=1e-4)


def test_hinge_losses():
    checks.check_hinge_losses(d_loss_hinge, g_loss_hinge)
    real = [[torch.zeros(1), torch.full((2, 1, 3, 3), 2.0)], [torch.zeros(1), torch.zeros(2, 1)]]
    fake = [[torch.zeros(1), torch.full((2, 1, 3, 3), -2.0)], [torch.zeros(1), torch.zeros(2, 1)]]
    # scale 1 is beyond both margins (loss 0), scale 2 sits at 0 (loss 1 + 1): the mean is 1
    assert float(hinge_d_multiscale(real, fake)) == pytest.approx(1.0)
    assert float(hinge_g_multiscale(fake)) == pytest.approx(1.0)
    with pytest.raises(CheckFailed, match="no margin"):
        checks.check_hinge_losses(d_loss_hinge, lambda f: F.relu(1 - f).mean())


def test_task_trains_with_ttur_and_the_encoder():
    from course_lib.training.gan_trainer import GANTrainer
    from course_lib.training.spade_task import SPADELossConfig, build_spade_task
    from course_lib.training.spade_task import spade_train_config as train_config

    torch.manual_seed(0)
    images, labels = torch.rand(8, 3, 16, 16) * 2 - 1, torch.randint(0, 4, (8, 16, 16))
    task = build_spade_task(tiny(), SPADELossConfig(ndf=4, n_layers_D=3, num_d=2),
                            preview_labels=labels[:2])
    config = train_config(steps=2, batch_size=4, log_every=1, sample_every=2, n_samples=2,
                          progress=False)
    assert (config.lr_g, config.lr_d, config.betas) == (1e-4, 4e-4, (0.0, 0.999))
    encoder_before = [p.clone() for p in task.networks["generator"].encoder.parameters()]
    trainer = GANTrainer(task, torch.utils.data.TensorDataset(images, labels), config)
    history = trainer.fit()
    assert {"d_loss", "g_loss", "gan_loss", "fm_loss", "kld_loss"} <= set(history.columns)
    assert np.isfinite(history.drop(columns="step").to_numpy()).all()
    moved = [not torch.equal(a, b) for a, b in
             zip(encoder_before, task.networks["generator"].encoder.parameters(), strict=True)]
    assert any(moved), "the encoder is trained with the generator's optimiser"
    assert trainer.samples[2].shape == (2, 3, 16, 16)


def test_task_adds_the_clip_perceptual_term_with_its_weight():
    import copy

    from course_lib.models.clip import ClipPerceptual
    from course_lib.training.spade_task import SPADELossConfig, SPADETask, build_spade_task

    torch.manual_seed(0)
    images, labels = torch.rand(2, 3, 16, 16) * 2 - 1, torch.randint(0, 4, (2, 16, 16))
    small = dict(ndf=4, n_layers_D=3, num_d=2)
    plain = build_spade_task(tiny(), SPADELossConfig(**small))
    weighted = build_spade_task(tiny(), SPADELossConfig(**small, lambda_perceptual=10.0))
    for name in ("generator", "discriminator"):
        weighted.networks[name].load_state_dict(plain.networks[name].state_dict())
    start = copy.deepcopy(plain.networks["generator"].state_dict())  # spectral norm's vectors
    torch.manual_seed(1)
    base = plain.g_step(plain.networks, (images, labels))
    torch.manual_seed(1)
    out = weighted.g_step(weighted.networks, (images, labels))
    plain.networks["generator"].load_state_dict(start)
    torch.manual_seed(1)
    fake = plain.networks["generator"](one_hot(labels, 4), images)[0]
    torch.testing.assert_close(out["perceptual_loss"], ClipPerceptual()(fake, images))
    torch.testing.assert_close(out["loss"], base["loss"] + 10.0 * out["perceptual_loss"])
    assert out["perceptual_loss"] > 0 and "perceptual_loss" not in base
    assert "clip_perceptual" in weighted.meta()["loss"]
    assert weighted.meta()["losses"]["lambda_perceptual"] == 10.0
    with pytest.raises(ValueError, match="perceptual network"):
        SPADETask(*plain.networks.values(), SPADELossConfig(lambda_perceptual=1.0))


def test_painter_logic_without_a_frontend():
    from course_lib.data.landscapes.classes import CLASSES, GRASS, SKY, TREE
    from course_lib.painter import Painter, blank_map, cell_classes, paint_cell

    labels = blank_map(16, horizon=0.5)
    assert (labels[:8] == SKY).all() and (labels[8:] == GRASS).all()
    painted = paint_cell(labels, row=6, col=0, cls=TREE, brush=3, grid=8)
    assert (painted[10:14, 0:4] == TREE).all() and (painted[10:14, 4:] == GRASS).all()
    assert (labels[10:14, 0:4] == GRASS).all(), "painting returns a copy"
    cells = cell_classes(painted, grid=8)
    assert cells.shape == (8, 8) and cells[5, 0] == TREE and cells[0, 0] == SKY

    torch.manual_seed(0)
    painter = Painter(StyledSPADE(tiny(label_nc=len(CLASSES))).eval(), grid=8)
    before = painter.picture.copy()
    painter.select("water")
    after = painter.click(7, 3)
    assert after.shape == (16, 16, 3) and after.dtype == np.uint8
    assert (painter.labels[14:16, 6:10] == CLASSES.index("water")).all()
    assert not np.array_equal(before, after)
    assert not np.array_equal(after, painter.new_noise())
    widget = painter.widget()  # builds without a browser
    assert len(painter._ui["buttons"]) == 64 and widget.children
    painter.select("rock")
    painter._ui["buttons"][0].click()  # what a click in the browser does
    assert (painter.labels[:2, :2] == CLASSES.index("rock")).all()
    assert painter._ui["buttons"][0].style.button_color == "#969696"
    assert bytes(painter._ui["picture"].value)[:4] == b"\x89PNG"


def test_shipped_checkpoint_remeasured():
    from course_lib.metrics.translation import evaluate_translation as evaluate_spade
    from course_lib.models.spade.shipped import (
        CHECKPOINT_DIR,
        CHECKPOINT_NAME,
        checkpoint_info,
        load_spade,
    )

    if not (CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.safetensors").exists():
        pytest.skip("no shipped SPADE checkpoint")
    info = checkpoint_info()
    size = (CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.safetensors").stat().st_size
    assert size < 5_000_000
    check = info["remeasure"]
    scores = evaluate_spade(load_spade(), "test", check["n"], 64, fid=False, seed=check["seed"])
    assert scores["miou"] == pytest.approx(check["miou"], abs=0.01)
