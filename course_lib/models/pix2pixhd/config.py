"""Sizes of pix2pixHD. The defaults are the paper's full model; ``course()`` is what we train.

The paper's final model (Cityscapes at 2048x1024, the official ``label2city_1024p`` run) is the
global generator G1 (``ngf_global = 2 * ngf = 64`` channels at its full resolution, 4
downsamplings, 9 residual blocks) wrapped by one local enhancer G2 (``ngf = 32``, 3 residual
blocks), with three discriminators. Its input has 36 channels: 35 Cityscapes label channels
plus the instance boundary map. The optional feature encoder E (16 channels, 4 downsamplings,
3 feature channels) adds ``feat_num`` channels to G's input when it is used.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass
class Pix2PixHDConfig:
    """pix2pixHD hyper-parameters (defaults: the paper's 2048x1024 Cityscapes model)."""

    label_channels: int = 36  # one-hot label map (35 classes) + instance boundary map
    image_channels: int = 3
    ngf: int = 32  # generator channels at full resolution (G2's; G1 has ngf * 2**n_local)
    n_downsample_global: int = 4
    n_blocks_global: int = 9
    n_local_enhancers: int = 1  # 0: the global generator G1 alone
    n_blocks_local: int = 3
    upsample: str = "transposed"  # G's decoder: "transposed" (paper) or "resize" convolutions
    ndf: int = 64
    n_layers_d: int = 3  # stride-2 layers of each PatchGAN: 3 gives a 70x70 receptive field
    num_d: int = 3  # discriminators at scales 1, 1/2, 1/4
    lambda_feat: float = 10.0  # weight of the feature-matching loss
    # pix2pix's L1 between G's image and the real photo. The paper has none (it adds a VGG
    # perceptual loss instead, whose weights cannot be downloaded here). Only sensible with E:
    # told the photo's look, G has one right answer, not an average of many.
    lambda_l1: float = 0.0
    # A perceptual term in the VGG loss's place: the distance in the course CLIP's image tower
    # (``models.clip.ClipPerceptual``) between G's image and the real photo; 0: none.
    lambda_perceptual: float = 0.0
    use_encoder: bool = False  # instance-wise feature encoder E (adds feat_num input channels)
    feat_num: int = 3
    nef: int = 16
    n_downsample_e: int = 4
    clusters: int = 10  # k of the per-class k-means on E's features (test-time looks)

    @property
    def generator_in_channels(self) -> int:
        return self.label_channels + (self.feat_num if self.use_encoder else 0)

    @property
    def discriminator_in_channels(self) -> int:
        """D judges (map, image) pairs: label channels plus image channels."""
        return self.label_channels + self.image_channels

    @classmethod
    def global_512p(cls) -> Pix2PixHDConfig:
        """The paper's first stage at 1024x512: G1 alone with 64 channels, two discriminators."""
        return cls(ngf=64, n_local_enhancers=0, num_d=2)

    @classmethod
    def course(cls, label_channels: int = 9) -> Pix2PixHDConfig:
        """The CPU-sized model trained on 64 px Landscapes (9 classes, no instance map).

        G1 alone with 32 channels at full resolution, 2 downsamplings (a 16x16 bottleneck of
        128 channels at 64 px: with 3, an 8x8 bottleneck lost the layout), 6 residual blocks
        and resize-convolutions in the decoder (no checkerboard): 1,979,171 parameters. The
        feature encoder E (16 channels, 3 downsamplings, 3 features; 198,595 parameters) gives
        G each region's look, which makes an L1 term towards the real photo (weight 50) a
        sensible stand-in for the paper's VGG loss; 4.4 MB in fp16 together. Three
        discriminators as in the paper, with 16 instead of 64 base channels.
        """
        return replace(cls(), label_channels=label_channels, ngf=32, n_downsample_global=2,
                       n_blocks_global=6, n_local_enhancers=0, ndf=16, num_d=3,
                       upsample="resize", use_encoder=True, nef=16, n_downsample_e=3,
                       lambda_l1=50.0)
