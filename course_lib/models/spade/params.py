"""Parameter counts of SPADE's networks from the architecture, by hand (no network is built).

Each formula counts weights and biases layer by layer; the tests build the networks and check
that ``sum(p.numel())`` gives the same number. Buffers (batch-norm statistics, spectral-norm
vectors) are not parameters, and the parameter-free norms have none.

A k x k convolution from ``a`` to ``b`` channels has ``k*k*a*b`` weights plus ``b`` biases.

- SPADE layer on ``C`` channels, label map of ``L`` channels, hidden width ``h``:
  shared conv ``k*k*L*h + h``, gamma and beta convs ``k*k*h*C + C`` each.
- Residual block ``fin -> fout`` (``m = min(fin, fout)``): conv_0 ``9*fin*m + m``, conv_1
  ``9*m*fout + fout``, SPADE on ``fin`` and on ``m``; if ``fin != fout`` also a 1x1 shortcut
  ``fin*fout`` (no bias) and one more SPADE on ``fin``.
- Generator: ``fc`` ``z_dim * (mults[0]*ngf*sh*sw) + mults[0]*ngf*sh*sw`` (``use_vae``) or
  ``9*label_nc*mults[0]*ngf + mults[0]*ngf`` (without: a 3x3 conv on the map), the blocks,
  ``conv_img`` ``9*ngf*mults[-1]*3 + 3``.
- Style encoder: bias-free 3x3 convs ``9*cin*cout`` per layer, then two linear layers
  ``16*c_last*z_dim + z_dim``.
- Discriminator (official ``--netD multiscale``: 2 scales of a PatchGAN with ``n_layers_D=4``,
  i.e. 5 convolutions, 4x4 kernels, ``ndf`` 64 doubling to 512): ``16*in*64 + 64``,
  ``16*64*128``, ``16*128*256``, ``16*256*512`` (``norm_D=spectralinstance``: the three
  instance-normed convolutions lose their bias), ``16*512 + 1``; ``in = label_nc + 3``. The
  course's D (``norm_D="instance"`` plus ``spectral_d``) keeps those biases (896 more per scale).
"""

from __future__ import annotations

import math

from course_lib.models.spade.config import SPADEConfig


def conv_params(cin: int, cout: int, k: int, bias: bool = True) -> int:
    return k * k * cin * cout + (cout if bias else 0)


def spade_layer_params(channels: int, label_nc: int, hidden: int, k: int = 3) -> int:
    return conv_params(label_nc, hidden, k) + 2 * conv_params(hidden, channels, k)


def resblock_params(fin: int, fout: int, label_nc: int, hidden: int, k: int = 3) -> int:
    middle = min(fin, fout)
    total = conv_params(fin, middle, 3) + conv_params(middle, fout, 3)
    total += spade_layer_params(fin, label_nc, hidden, k) + spade_layer_params(
        middle, label_nc, hidden, k)
    if fin != fout:
        total += conv_params(fin, fout, 1, bias=False) + spade_layer_params(
            fin, label_nc, hidden, k)
    return total


def fc_params(c: SPADEConfig) -> int:
    """The generator's input layer: Linear(z -> first grid) with the VAE, else a 3x3 conv."""
    first = c.mults[0] * c.ngf
    if not c.use_vae:
        return conv_params(c.label_nc, first, 3)
    grid = first * c.start_size[0] * c.start_size[1]
    return c.z_dim * grid + grid


def generator_params(c: SPADEConfig) -> int:
    """Parameters of :class:`SPADEGenerator` for ``c``, layer by layer."""
    total = fc_params(c)
    fins = (c.mults[0],) + c.mults[:-1]
    for fin, fout in zip(fins, c.mults, strict=True):
        total += resblock_params(fin * c.ngf, fout * c.ngf, c.label_nc, c.hidden, c.kernel_size)
    return total + conv_params(c.mults[-1] * c.ngf, 3, 3)


def encoder_params(c: SPADEConfig) -> int:
    total, cin = 0, 3
    for k in range(int(math.log2(c.encoder_size // 4))):
        cout = c.ndf_encoder * min(2**k, 8)
        total += conv_params(cin, cout, 3, bias=False)
        cin = cout
    return total + 2 * (16 * cin * c.z_dim + c.z_dim)


def discriminator_params(label_nc: int = 151, ndf: int = 64, num_d: int = 2,
                         normed_bias: bool = False, n_layers_D: int = 4) -> int:
    """SPADE's multi-scale discriminator (official: no bias before its instance norms)."""
    widths = [label_nc + 3] + [min(ndf * 2**k, 512) for k in range(n_layers_D)]
    total = conv_params(widths[0], widths[1], 4)
    for cin, cout in zip(widths[1:-1], widths[2:], strict=True):
        total += conv_params(cin, cout, 4, bias=normed_bias)
    return num_d * (total + conv_params(widths[-1], 1, 4))


def count_parameters(module) -> int:
    """Trainable parameters of a built module (what ``model.summary()`` would call trainable)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
