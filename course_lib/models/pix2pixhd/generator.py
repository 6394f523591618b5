"""pix2pixHD's generators: the global generator G1 and the local enhancer G2 (coarse to fine).

**Global generator** (an encoder, residual blocks, a decoder; Johnson et al.'s design)::

    c7s1-64, d128, d256, d512, d1024, R1024 x 9, u512, u256, u128, u64, c7s1-3

The encoder halves the size ``n_downsample`` times, so the residual blocks work on a small
map where every 3x3 convolution covers a wide area of the picture; the decoder's transposed
convolutions bring it back to full size. The input is the one-hot label map itself.

**Local enhancer** (coarse to fine): to go from 1024x512 to 2048x1024, pix2pixHD trains G1 at
half resolution first, then puts a second, shallower network G2 around it. G2's front end
(``c7s1-32, d64``) reads the full-resolution map and halves it; G1 (without its output layer)
reads the map at half resolution; their feature maps are *added* and G2's back end
(``R64 x 3, u32, c7s1-3``) turns the sum into the full-resolution image. G1 supplies the
global structure, G2 the fine detail.
"""

from __future__ import annotations

import torch
from torch import nn

from course_lib.models.pix2pixhd.blocks import ResnetBlock, c7s1, down, to_image, up
from course_lib.models.pix2pixhd.discriminator import downsample


class GlobalGenerator(nn.Module):
    """G1: label map (N, in_channels, H, W) -> image (N, out_channels, H, W) in [-1, 1].

    H and W must be divisible by ``2**n_downsample``. ``front`` is the first ``c7s1`` block
    (convolution, instance norm, ReLU): the place where pix2pixHD loses the class of a uniform
    map (see :func:`first_block_activations`).
    """

    def __init__(self, in_channels: int, out_channels: int = 3, ngf: int = 64,
                 n_downsample: int = 4, n_blocks: int = 9, with_output: bool = True,
                 upsample: str = "transposed"):
        super().__init__()
        self.n_downsample = n_downsample
        self.front = nn.Sequential(*c7s1(in_channels, ngf))
        self.down = nn.Sequential(*[m for i in range(n_downsample)
                                    for m in down(ngf * 2**i, ngf * 2**(i + 1))])
        width = ngf * 2**n_downsample
        self.blocks = nn.Sequential(*[ResnetBlock(width) for _ in range(n_blocks)])
        self.up = nn.Sequential(*[m for i in range(n_downsample, 0, -1)
                                  for m in up(ngf * 2**i, ngf * 2**(i - 1), upsample)])
        self.head = nn.Sequential(*to_image(ngf, out_channels)) if with_output else nn.Identity()

    def features(self, labels: torch.Tensor) -> torch.Tensor:
        """Everything but the output layer: (N, ngf, H, W) feature maps."""
        size = 2**self.n_downsample
        if labels.shape[-1] % size or labels.shape[-2] % size:
            raise ValueError(f"height and width must be multiples of {size}, "
                             f"got {tuple(labels.shape[-2:])}")
        return self.up(self.blocks(self.down(self.front(labels))))

    def forward(self, labels: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(labels))


class LocalEnhancer(nn.Module):
    """G = G2 around G1: the coarse-to-fine generator of the paper's 2048x1024 results.

    Each of the ``n_local_enhancers`` enhancers doubles the working resolution. G1 gets
    ``ngf * 2**n_local_enhancers`` channels and reads the map downsampled that many times.
    """

    def __init__(self, in_channels: int, out_channels: int = 3, ngf: int = 32,
                 n_downsample_global: int = 4, n_blocks_global: int = 9,
                 n_local_enhancers: int = 1, n_blocks_local: int = 3,
                 upsample: str = "transposed"):
        super().__init__()
        self.n_local_enhancers = n_local_enhancers
        self.global_generator = GlobalGenerator(
            in_channels, out_channels, ngf * 2**n_local_enhancers, n_downsample_global,
            n_blocks_global, with_output=False, upsample=upsample)
        self.enhancers_down = nn.ModuleList()
        self.enhancers_up = nn.ModuleList()
        for n in range(1, n_local_enhancers + 1):
            width = ngf * 2**(n_local_enhancers - n)
            self.enhancers_down.append(nn.Sequential(*c7s1(in_channels, width),
                                                     *down(width, width * 2)))
            back = [*[ResnetBlock(width * 2) for _ in range(n_blocks_local)],
                    *up(width * 2, width, upsample)]
            if n == n_local_enhancers:
                back += to_image(ngf, out_channels)
            self.enhancers_up.append(nn.Sequential(*back))

    def forward(self, labels: torch.Tensor) -> torch.Tensor:
        pyramid = [labels]
        for _ in range(self.n_local_enhancers):
            pyramid.append(downsample(pyramid[-1]))
        x = self.global_generator.features(pyramid[-1])
        for n, (front, back) in enumerate(zip(self.enhancers_down, self.enhancers_up,
                                              strict=True), start=1):
            x = back(front(pyramid[self.n_local_enhancers - n]) + x)
        return x


def first_block_activations(generator: nn.Module, labels: torch.Tensor) -> torch.Tensor:
    """The output of G's first ``c7s1`` block (conv, instance norm, ReLU) for ``labels``.

    On a map of a single class everywhere, the convolution gives the same vector at every
    pixel; instance norm subtracts each channel's mean over the image, leaving zeros, whatever
    the class was. Compare the result for two uniform maps of different classes.
    """
    if hasattr(generator, "encoder"):  # with E: its features are one constant vector too
        return generator.front(labels)
    g = generator.global_generator if isinstance(generator, LocalEnhancer) else generator
    if isinstance(generator, LocalEnhancer):
        for _ in range(generator.n_local_enhancers):
            labels = downsample(labels)
    return g.front(labels)
