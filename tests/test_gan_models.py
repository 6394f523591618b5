"""Units 03-04: MLP GAN and DCGAN shapes and sizes, the GAN losses, and where gradients flow."""

from __future__ import annotations

import math

import pytest
import torch
from torch import nn

from course_lib.losses.gan import (
    LSGANCoding,
    d_loss_bce,
    d_loss_lsgan,
    g_loss_lsgan,
    g_loss_nonsaturating,
    g_loss_saturating,
    gan_loss,
)
from course_lib.models.dcgan import DCGANConfig, build_dcgan
from course_lib.models.mlp_gan import Maxout, build_mlp_gan
from course_lib.training.gan_task import GANTask, build_gan_task
from course_lib.training.gan_trainer import GANTrainer, TrainConfig

pytestmark = pytest.mark.usefixtures("one_thread")


def n_params(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("build", [build_mlp_gan, build_dcgan])
def test_generator_and_discriminator_shapes(build):
    generator, discriminator = build()
    images = generator(torch.randn(5, 100))
    assert images.shape == (5, 1, 28, 28)
    assert images.min() >= -1 and images.max() <= 1  # tanh output, like the [-1, 1] data
    assert discriminator(images).shape == (5,)
    probability = discriminator.probability(images)
    assert ((probability > 0) & (probability < 1)).all()


def test_parameter_counts_match_hand_arithmetic():
    g, d = build_mlp_gan()
    # G: 100 -> 1200 -> 1200 -> 784 (weights + biases)
    assert n_params(g) == (100 * 1200 + 1200) + (1200 * 1200 + 1200) + (1200 * 784 + 784)
    # D: maxout 784 -> 240x5, maxout 240 -> 240x5, linear 240 -> 1
    assert n_params(d) == (784 * 1200 + 1200) + (240 * 1200 + 1200) + (240 + 1) == 1_231_441
    g, d = build_dcgan()
    # G: convT 100->128 (7x7, no bias), BN(128), convT 128->64 (4x4, no bias), BN(64),
    #    convT 64->1 (4x4, bias)
    assert n_params(g) == 100 * 128 * 49 + 2 * 128 + 128 * 64 * 16 + 2 * 64 + 64 * 16 + 1
    # D: conv 1->64 (4x4, bias), conv 64->128 (4x4, no bias), BN(128), linear 6272 -> 1
    assert n_params(d) == 16 * 64 + 64 + 64 * 128 * 16 + 2 * 128 + 128 * 49 + 1 == 138_689


def test_dcgan_without_batch_norm_in_g():
    """``g_batch_norm=False``: no batch norm in G, biases instead (a bias before batch norm
    would be cancelled by its mean, so the default G has none); D and the default G's weight
    names are unchanged, so the shipped checkpoints still load."""
    plain, _ = build_dcgan(DCGANConfig(g_batch_norm=False))
    default, _ = build_dcgan()
    assert not any(isinstance(m, nn.BatchNorm2d) for m in plain.modules())
    convs = [m for m in plain.modules() if isinstance(m, nn.ConvTranspose2d)]
    assert all(c.bias is not None for c in convs)
    # 759,681 - 2 * (128 + 64) batch-norm parameters + 128 + 64 biases
    assert sum(p.numel() for p in plain.parameters()) == 759_681 - 2 * 192 + 192
    assert {k for k in default.state_dict()} == {
        "net.0.weight", "net.1.weight", "net.1.bias", "net.1.running_mean", "net.1.running_var",
        "net.1.num_batches_tracked", "net.3.weight", "net.4.weight", "net.4.bias",
        "net.4.running_mean", "net.4.running_var", "net.4.num_batches_tracked", "net.6.weight",
        "net.6.bias"}
    assert plain(torch.randn(3, 100)).shape == (3, 1, 28, 28)


def test_stride_two_convolutions_halve_and_transposed_ones_double():
    x = torch.randn(1, 3, 14, 14)
    assert nn.Conv2d(3, 3, kernel_size=2, stride=2)(x).shape[-2:] == (7, 7)
    assert nn.ConvTranspose2d(3, 3, kernel_size=2, stride=2)(x).shape[-2:] == (28, 28)
    g, d = build_dcgan(DCGANConfig(kernel_size=2))
    images = g(torch.randn(2, 100))
    assert images.shape == (2, 1, 28, 28) and d(images).shape == (2,)
    with pytest.raises(ValueError):
        build_dcgan(DCGANConfig(kernel_size=3))


def test_dcgan_initialisation():
    torch.manual_seed(0)
    g, d = build_dcgan()
    weight = g.net[3].weight  # 128 * 64 * 16 = 131,072 draws
    assert abs(weight.mean().item()) < 1e-3
    assert weight.std().item() == pytest.approx(0.02, rel=0.02)
    bn = g.net[1]
    assert bn.weight.mean().item() == pytest.approx(1.0, abs=0.01)
    assert torch.all(bn.bias == 0) and torch.all(g.net[6].bias == 0)


def test_maxout_keeps_the_largest_piece():
    layer = Maxout(2, units=1, pieces=3)
    with torch.no_grad():
        layer.linear.weight.copy_(torch.tensor([[1.0, 0.0], [0.0, 1.0], [-1.0, -1.0]]))
        layer.linear.bias.zero_()
    out = layer(torch.tensor([[2.0, 5.0], [-3.0, -4.0]]))
    assert out.flatten().tolist() == [5.0, 7.0]  # max(2, 5, -7) and max(-3, -4, 7)


def test_losses_against_hand_computed_values():
    zero, two = torch.tensor([0.0]), torch.tensor([2.0])
    # D(x) = D(G(z)) = sigmoid(0) = 1/2: D's loss is -log(1/2) - log(1/2) = 2 log 2
    assert d_loss_bce(zero, zero).item() == pytest.approx(2 * math.log(2))
    # D(G(z)) = sigmoid(2) = 0.880797: minimax log(1 - 0.880797), non-saturating -log(0.880797)
    assert g_loss_saturating(two).item() == pytest.approx(math.log(1 - 0.880797), rel=1e-5)
    assert g_loss_nonsaturating(two).item() == pytest.approx(-math.log(0.880797), rel=1e-5)
    # LSGAN, a=0 b=1 c=1: D = 0.5*mean((1-1)^2, (0.5-1)^2) + 0.5*mean((0-0)^2, (-1-0)^2)
    real, fake = torch.tensor([1.0, 0.5]), torch.tensor([0.0, -1.0])
    assert d_loss_lsgan(real, fake).item() == pytest.approx(0.5 * 0.125 + 0.5 * 0.5)
    # G = 0.5 * mean((0-1)^2, (-1-1)^2) = 0.5 * 2.5
    assert g_loss_lsgan(fake).item() == pytest.approx(1.25)
    # another coding (a=-1, b=1, c=0) changes the targets
    coding = LSGANCoding(a=-1.0, b=1.0, c=0.0)
    assert d_loss_lsgan(real, fake, coding).item() == pytest.approx(0.5 * 0.125 + 0.5 * 0.5)
    assert g_loss_lsgan(fake, coding).item() == pytest.approx(0.25)
    with pytest.raises(ValueError, match="lsgan"):
        gan_loss("wasserstein")


def test_saturating_gradient_vanishes_when_d_wins_but_non_saturating_does_not():
    """D rejects the fakes confidently: D(G(z)) = sigmoid(-10) = 4.5e-5."""
    grads = {}
    for name, loss_fn in (("minimax", g_loss_saturating), ("nonsaturating", g_loss_nonsaturating)):
        logit = torch.tensor([-10.0], requires_grad=True)
        loss_fn(logit).backward()
        grads[name] = logit.grad.abs().item()
    assert grads["minimax"] == pytest.approx(torch.sigmoid(torch.tensor(-10.0)).item(), rel=1e-4)
    assert grads["minimax"] < 1e-4
    assert grads["nonsaturating"] > 0.999
    # both push the same way: minimising either raises D(G(z)) (the gradient is negative)
    for loss_fn in (g_loss_saturating, g_loss_nonsaturating):
        logit = torch.tensor([-10.0], requires_grad=True)
        loss_fn(logit).backward()
        assert logit.grad.item() < 0


def test_lsgan_keeps_pushing_fakes_that_d_already_calls_real():
    """A fake scored 3 (beyond the real target 1): BCE's G gradient is tiny, LSGAN's is not."""
    score = torch.tensor([3.0], requires_grad=True)
    g_loss_nonsaturating(score).backward()
    bce_grad = score.grad.abs().item()
    score.grad = None
    g_loss_lsgan(score).backward()
    assert bce_grad < 0.05 and score.grad.item() == pytest.approx(2.0)


def snapshot(net: nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in net.named_parameters()}


def changed(net: nn.Module, before: dict[str, torch.Tensor]) -> bool:
    return any(not torch.equal(p, before[k]) for k, p in net.named_parameters())


@pytest.mark.parametrize("arch", ["mlp", "dcgan"])
def test_each_update_changes_only_its_own_network(arch):
    torch.manual_seed(0)
    small = ({"latent_dim": 8, "g_hidden": (16,), "d_hidden": (8,), "maxout_pieces": 2}
             if arch == "mlp" else {"latent_dim": 8, "g_channels": 8, "d_channels": 4})
    task = build_gan_task(arch, "nonsaturating", **small)
    data = torch.utils.data.TensorDataset(torch.rand(16, 1, 28, 28) * 2 - 1)
    trainer = GANTrainer(task, data, TrainConfig(batch_size=8, device="cpu", progress=False))
    g, d = task.networks["generator"], task.networks["discriminator"]
    batch = [torch.rand(8, 1, 28, 28) * 2 - 1]

    # D step: no gradient may reach G (its fakes are made without gradients)
    out = task.d_step(trainer.wrapped, batch)
    out["loss"].backward()
    assert all(p.grad is None for p in g.parameters())
    assert all(p.grad is not None for p in d.parameters())
    for p in d.parameters():
        p.grad = None

    g_before, d_before = snapshot(g), snapshot(d)
    trainer._update("d", "discriminator", task.d_step, batch)
    assert changed(d, d_before) and not changed(g, g_before)

    g_before, d_before = snapshot(g), snapshot(d)
    trainer._update("g", "generator", task.g_step, batch)
    assert changed(g, g_before) and not changed(d, d_before)  # D got gradients, not a step


def test_gan_task_logs_probabilities_for_bce_and_raw_scores_for_lsgan():
    torch.manual_seed(0)
    g, d = build_dcgan(DCGANConfig(latent_dim=8, g_channels=8, d_channels=4))
    batch = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        bce = GANTask(g, d, "minimax").d_step({"generator": g, "discriminator": d}, batch)
        ls = GANTask(g, d, "lsgan").d_step({"generator": g, "discriminator": d}, batch)
        scores = d(batch)  # train-mode batch norm: depends on this batch only
    assert bce["D(x)"].item() == pytest.approx(torch.sigmoid(scores).mean().item())
    assert ls["D(x)"].item() == pytest.approx(scores.mean().item())


def test_course_train_gan_and_sample_commands(tmp_path, monkeypatch, capsys, keras_home,
                                              tiny_fashion_mnist):
    """``course train gan`` writes a resumable run; ``course sample`` draws a grid from it."""
    from course_lib.cli import main

    mirror, _ = tiny_fashion_mnist
    monkeypatch.setenv("COURSE_DATA_DIR", str(mirror.parent))
    (mirror.parent / "fashion-mnist").symlink_to(mirror)
    run = tmp_path / "run"
    args = ["train", "gan", "--steps", "2", "--batch-size", "4", "--sample-every", "2",
            "--device", "cpu", "--out", str(run)]
    assert main(args) == 0
    assert "2 steps" in capsys.readouterr().out
    assert main([*args[:2], "--steps", "3", *args[4:]]) == 0  # resumes at step 2
    assert "3 steps" in capsys.readouterr().out
    assert main(["sample", str(run), "--n", "4", "--out", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").stat().st_size > 0
