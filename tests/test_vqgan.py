"""VQ-GAN (unit 07): quantiser, losses, architecture sizes and the shipped checkpoint."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F

from course_lib.metrics.reconstruction import codebook_usage, psnr
from course_lib.models.vqgan import (
    VQGAN,
    VectorQuantizer,
    VQGANConfig,
    adaptive_weight,
    hinge_d_loss,
    hinge_g_loss,
)

TINY = VQGANConfig(ch=4, ch_mult=(1, 2), num_res_blocks=1, z_channels=8, n_codes=16,
                   embed_dim=4, groups=2)


def test_straight_through_gradient_reaches_the_encoder():
    q = VectorQuantizer(8, 3)
    z = torch.randn(2, 3, 4, 4, requires_grad=True)
    weights = torch.randn(2, 3, 4, 4)
    (q(z).z_q * weights).sum().backward()
    assert torch.equal(z.grad, weights)  # the decoder's gradient is copied through unchanged

    torch.manual_seed(0)
    model = VQGAN(TINY)
    recon, _ = model(torch.rand(2, 3, 8, 8) * 2 - 1)
    recon.abs().mean().backward()
    assert model.encoder.conv_in.weight.grad.abs().sum() > 0


def test_commitment_and_codebook_loss_on_a_hand_case():
    q = VectorQuantizer(2, 2, beta=0.25)
    with torch.no_grad():
        q.codebook.weight.copy_(torch.tensor([[0.0, 0.0], [1.0, 1.0]]))
    z = torch.tensor([0.2, 0.4]).view(1, 2, 1, 1)
    out = q.eval()(z)
    assert out.indices.item() == 0
    # ||z - e||^2 averaged over the 2 components = (0.04 + 0.16) / 2 = 0.1
    assert out.commitment.item() == pytest.approx(0.1)
    assert out.loss.item() == pytest.approx(0.1 + 0.25 * 0.1)  # codebook + beta * commitment
    assert torch.allclose(out.z_q, torch.zeros(1, 2, 1, 1))


def test_dead_codes_are_restarted_on_encoder_outputs():
    torch.manual_seed(0)
    q = VectorQuantizer(4, 2, restart_dead=True)
    with torch.no_grad():
        q.codebook.weight.copy_(torch.tensor([[0.0, 0.0], [50.0, 50.0], [-50.0, 50.0],
                                              [60.0, -60.0]]))
    q.usage.copy_(torch.tensor([1.0, 0.0, 0.0, 1.0]))  # codes 1 and 2 have not been used
    flat = torch.tensor([[0.1, 0.2], [0.3, -0.1], [-0.2, 0.0]])
    assert q.restart(flat) == 2
    moved = q.codebook.weight[1:3]
    assert torch.cdist(moved, flat).min(dim=1).values.max() < 0.05  # onto data points
    assert torch.equal(q.codebook.weight[3], torch.tensor([60.0, -60.0]))  # alive: untouched
    assert q.restart(flat) == 0  # a grace period before they can be called dead again


def test_ema_codebook_moves_codes_towards_their_vectors():
    q = VectorQuantizer(2, 2, ema=True, decay=0.5)
    with torch.no_grad():
        q.codebook.weight.copy_(torch.tensor([[0.0, 0.0], [5.0, 5.0]]))
        q.embed_sum.copy_(q.codebook.weight)
        q.cluster_size.fill_(1.0)
    z = torch.tensor([[1.0, 1.0], [1.0, 1.0]]).t().reshape(1, 2, 1, 2)
    q.train()(z)
    assert not q.codebook.weight.requires_grad
    code = q.codebook.weight[0]
    assert 0.0 < code[0].item() < 1.0 and code[0].item() == pytest.approx(code[1].item())
    assert torch.allclose(q.codebook.weight[1], torch.tensor([5.0, 5.0]), atol=1e-3)  # unused


def test_adaptive_weight_is_the_ratio_of_gradient_norms():
    w = torch.tensor([1.0, 2.0, 2.0], requires_grad=True)
    rec = (3.0 * w).sum()  # gradient (3, 3, 3), norm 3 * sqrt(3)
    gan = 0.5 * (w**2).sum()  # gradient w = (1, 2, 2), norm 3
    expected = 3 * math.sqrt(3) / (3 + 1e-4)
    assert adaptive_weight(rec, gan, w).item() == pytest.approx(expected, rel=1e-6)
    assert not adaptive_weight(rec, gan, w).requires_grad


def test_hinge_losses_on_hand_values():
    real, fake = torch.tensor([2.0, 0.5]), torch.tensor([-2.0, 0.0])
    # real: relu(1 - 2) = 0, relu(1 - 0.5) = 0.5; fake: relu(1 - 2) = 0, relu(1 + 0) = 1
    assert hinge_d_loss(real, fake).item() == pytest.approx(0.5 * (0.25 + 0.5))
    assert hinge_g_loss(fake).item() == pytest.approx(1.0)


def test_psnr_and_codebook_usage_on_hand_cases():
    a = torch.zeros(2, 3, 4, 4)
    assert psnr(a + 0.2, a).tolist() == pytest.approx([20.0, 20.0])  # 10 log10(4 / 0.04)
    usage = codebook_usage(torch.tensor([0, 0, 1, 1]), 4)
    assert usage["perplexity"] == pytest.approx(2.0) and usage["used_share"] == 0.5
    assert usage["dead_codes"] == 2


def test_compression_factor_eight():
    assert VQGANConfig().factor == 8 and VQGANConfig.course().factor == 8
    model = VQGAN(VQGANConfig.course()).eval()
    assert model.encode_indices(torch.zeros(2, 3, 64, 64)).shape == (2, 8, 8)
    assert model.decode_indices(torch.zeros(1, 8, 8, dtype=torch.long)).shape == (1, 3, 64, 64)


def _vqgan_parameter_count(c: VQGANConfig) -> int:
    """Count from the architecture: conv = k*k*cin*cout + cout, GroupNorm = 2 * channels."""
    def conv(cin, cout, k):
        return k * k * cin * cout + cout

    def res(cin, cout):
        return 2 * cin + conv(cin, cout, 3) + 2 * cout + conv(cout, cout, 3) + (
            conv(cin, cout, 1) if cin != cout else 0)

    widths = [c.ch * m for m in c.ch_mult]
    top = widths[-1]
    middle = 2 * res(top, top) + (2 * top + conv(top, 3 * top, 1) + conv(top, top, 1))
    enc = conv(3, widths[0], 3) + middle + 2 * top + conv(top, c.z_channels, 3)
    dec = conv(c.z_channels, top, 3) + middle + 2 * widths[0] + conv(widths[0], 3, 3)
    for level, width in enumerate(widths):
        enc += c.num_res_blocks * res(width, width)
        dec += (c.num_res_blocks + 1) * res(width, width)
        if level < len(widths) - 1:  # encoder: down to the next width; decoder: back up
            enc += conv(width, widths[level + 1], 3)
            dec += conv(widths[level + 1], width, 3)
    quant = conv(c.z_channels, c.embed_dim, 1) + c.n_codes * c.embed_dim + conv(
        c.embed_dim, c.z_channels, 1)
    return enc + dec + quant


@pytest.mark.parametrize("config", [VQGANConfig(), VQGANConfig.course()], ids=["rudalle", "course"])
def test_parameter_count_matches_the_architecture(config):
    model = VQGAN(config)  # 61 M parameters at ruDALL-E's sizes (the meta device is slower)
    assert sum(p.numel() for p in model.parameters()) == _vqgan_parameter_count(config)


def _taming_counts(c: VQGANConfig) -> dict[str, int]:
    """taming-transformers' layout counted by hand: the width changes in each level's first
    residual block (1x1 shortcut), resampling convs keep it, attention at attn_resolutions."""
    def conv(cin, cout, k):
        return k * k * cin * cout + cout

    def res(cin, cout):
        return 2 * cin + conv(cin, cout, 3) + 2 * cout + conv(cout, cout, 3) + (
            conv(cin, cout, 1) if cin != cout else 0)

    def attn(ch):  # GroupNorm, then q, k, v and proj_out 1x1 convs
        return 2 * ch + 4 * conv(ch, ch, 1)

    widths = [c.ch * m for m in c.ch_mult]
    top = widths[-1]
    middle = 2 * res(top, top) + attn(top)
    enc = conv(3, c.ch, 3) + middle + 2 * top + conv(top, c.z_channels, 3)
    cin, size = c.ch, c.resolution
    for level, width in enumerate(widths):
        for _ in range(c.num_res_blocks):
            enc += res(cin, width) + (attn(width) if size in c.attn_resolutions else 0)
            cin = width
        if level < len(widths) - 1:
            enc += conv(width, width, 3)  # Downsample: same width
            size //= 2
    dec = conv(c.z_channels, top, 3) + middle + 2 * widths[0] + conv(widths[0], 3, 3)
    cin = top
    for level in reversed(range(len(widths))):
        for _ in range(c.num_res_blocks + 1):
            dec += res(cin, widths[level]) + (attn(widths[level]) if size in
                                              c.attn_resolutions else 0)
            cin = widths[level]
        if level > 0:
            dec += conv(cin, cin, 3)  # Upsample: nearest x2, then a 3x3 conv, same width
            size *= 2
    return {"encoder": enc, "decoder": dec, "quantizer": c.n_codes * c.embed_dim,
            "quant_conv": conv(c.z_channels, c.embed_dim, 1),
            "post_quant_conv": conv(c.embed_dim, c.z_channels, 1)}


@pytest.mark.parametrize("f, official, parts", [
    (16, 72_141_699, {"encoder": 29_298_176, "decoder": 42_449_795, "quantizer": 262_144,
                      "quant_conv": 65_792, "post_quant_conv": 65_792}),
    (8, 70_368_131, None)], ids=["imagenet-f16", "imagenet-f8"])
def test_taming_layout_equals_the_official_counts(f, official, parts):
    config = VQGANConfig.imagenet(f)
    with torch.device("meta"):
        model = VQGAN(config)
    built = {name: sum(p.numel() for p in getattr(model, name).parameters())
             for name in ("encoder", "decoder", "quantizer", "quant_conv", "post_quant_conv")}
    assert built == _taming_counts(config) == (parts or built)
    assert sum(p.numel() for p in model.parameters()) == sum(built.values()) == official


def test_course_sizes_in_the_taming_layout():
    """The later retrain's candidate: the course's widths in taming's blocks, counted by hand."""
    config = VQGANConfig.course("taming")
    model = VQGAN(config)
    built = {name: sum(p.numel() for p in getattr(model, name).parameters())
             for name in ("encoder", "decoder", "quantizer", "quant_conv", "post_quant_conv")}
    assert built == _taming_counts(config)
    assert model(torch.zeros(1, 3, 64, 64))[0].shape == (1, 3, 64, 64)
    assert model.encode_indices(torch.zeros(1, 3, 64, 64)).shape == (1, 8, 8)
    with pytest.raises(ValueError, match="num_res_blocks >= 1"):
        VQGANConfig(layout="taming", num_res_blocks=0)


def test_course_config_builds_the_shipped_checkpoints_network():
    from safetensors import safe_open

    from course_lib.models.weights_file import checkpoint_path

    with safe_open(checkpoint_path(None, "landscapes_vqgan"), "pt") as f:
        shipped = {k: tuple(f.get_slice(k).get_shape()) for k in f.keys()}
    built = VQGAN(VQGANConfig.course()).state_dict()
    assert shipped == {k: tuple(v.shape) for k, v in built.items()}


def test_taming_resampling_keeps_the_width_and_attends_where_asked():
    from course_lib.models.vqgan.encoder_decoder import AttnBlock, Downsample

    config = VQGANConfig(ch=8, ch_mult=(1, 2), num_res_blocks=1, z_channels=4, n_codes=16,
                         embed_dim=4, groups=4, layout="taming", attn_resolutions=(8,),
                         resolution=16)
    model = VQGAN(config)
    (down,) = [m for m in model.encoder.modules() if isinstance(m, Downsample)]
    assert down.conv.in_channels == down.conv.out_channels == 8 and down.conv.padding == (0, 0)
    x = torch.randn(1, 8, 16, 16)
    assert torch.equal(down(x), down.conv(F.pad(x, (0, 1, 0, 1))))
    assert down(x).shape == (1, 8, 8, 8)
    # attention after the 8x8 level's block and in the middle, in encoder and decoder alike
    assert sum(isinstance(m, AttnBlock) for m in model.encoder.modules()) == 2
    assert sum(isinstance(m, AttnBlock) for m in model.decoder.modules()) == 3
    assert model(torch.zeros(2, 3, 16, 16))[0].shape == (2, 3, 16, 16)
    with pytest.raises(ValueError, match="attn_resolutions needs layout='taming'"):
        VQGANConfig(attn_resolutions=(16,))
    with pytest.raises(ValueError, match="layout must be one of"):
        VQGANConfig(layout="official")


def test_shipped_checkpoint_reconstructs_with_the_recorded_psnr():
    from course_lib.data.landscapes.dataset import cached_split
    from course_lib.models.vqgan import checkpoint_info, load_vqgan
    from course_lib.training.vqgan_run import evaluate_vqgan, to_tensor

    info = checkpoint_info()
    recorded = info["quality"]
    assert recorded["n"] == 1000 and recorded["used_share"] >= 0.5
    model = load_vqgan()
    assert model.config.factor == 8
    n = 100  # the first 100 of the 1,000 recorded test scenes
    measured = evaluate_vqgan(model, to_tensor(cached_split("test", 64, n, progress=False)[0]))
    # Per-image PSNR has a standard deviation of about sd_psnr dB, so the mean of 100 images
    # lies within 4 standard errors of the 1,000-image mean with near certainty.
    tolerance = 4 * recorded["sd_psnr"] / math.sqrt(n)
    assert abs(measured["psnr"] - recorded["psnr"]) <= tolerance, (measured, recorded)
