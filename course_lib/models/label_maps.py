"""Label maps into pictures: the input encoding and the sampling rule of units 05 and 06.

Both translation models read a label map as one-hot channels (:func:`one_hot_maps`).
:func:`generate` turns index maps into images with either family, in eval mode and batches,
with the noise drawn from ``seed`` so that every figure of the course is reproducible:
SPADE's z ~ N(0, I), pix2pixHD's random looks (cluster centres of its feature encoder).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from course_lib.data.landscapes.classes import NUM_CLASSES
from course_lib.models.spade.generator import SPADEGenerator
from course_lib.models.spade.styled import StyledSPADE


def one_hot_maps(labels: torch.Tensor, num_classes: int = NUM_CLASSES) -> torch.Tensor:
    """Index maps (N, H, W) -> one-hot float maps (N, C, H, W) on the same device."""
    return nn.functional.one_hot(labels.long(), num_classes).permute(0, 3, 1, 2).float()


@torch.no_grad()
def generate(model: nn.Module, labels: torch.Tensor, z: torch.Tensor | None = None,
             seed: int = 0, batch_size: int = 64, *, images: torch.Tensor | None = None,
             features: torch.Tensor | None = None) -> torch.Tensor:
    """Images (N, 3, H, W) in [-1, 1] for index maps (N, H, W), in eval mode, on the CPU.

    SPADE (a ``SPADEGenerator`` or a ``StyledSPADE``): ``z`` (N, z_dim) defaults to N(0, I)
    noise from ``torch.Generator().manual_seed(seed)``. pix2pixHD with the feature encoder
    (``EncodedGenerator``) takes each region's look from ``features`` (feature maps
    (N, F, H, W)) when given, else from ``images`` (photos in [-1, 1]), else a random cluster
    centre drawn with ``seed``; a plain pix2pixHD generator reads the map alone.
    """
    net = model.generator if isinstance(model, StyledSPADE) else model
    device = next(net.parameters()).device
    if isinstance(net, SPADEGenerator):
        if z is None:
            z = net.noise(len(labels), generator=torch.Generator().manual_seed(seed))
        num_classes = net.config.label_nc
        step = _spade_step(net, z, device)
    elif z is not None:
        raise ValueError("pix2pixHD reads no z: give images or features for its looks")
    else:
        num_classes = NUM_CLASSES
        step = _pix2pixhd_step(net, images, features, seed, device)
    was_training = net.training
    net.eval()
    out = [step(one_hot_maps(labels[i:i + batch_size].to(device), num_classes),
                slice(i, i + batch_size)).float().cpu()
           for i in range(0, len(labels), batch_size)]
    net.train(was_training)
    return torch.cat(out)


Step = Callable[[torch.Tensor, slice], torch.Tensor]


def _spade_step(generator: SPADEGenerator, z: torch.Tensor, device: torch.device) -> Step:
    return lambda maps, part: generator(maps, z[part].to(device))


def _pix2pixhd_step(generator: nn.Module, images: torch.Tensor | None,
                    features: torch.Tensor | None, seed: int, device: torch.device) -> Step:
    if not hasattr(generator, "encoder"):
        return lambda maps, part: generator(maps)
    draw = torch.Generator().manual_seed(seed)

    def step(maps: torch.Tensor, part: slice) -> torch.Tensor:
        photos = None if images is None else images[part].to(device)
        looks = None if features is None else features[part].to(device)
        return generator(maps, photos, features=looks, draw=draw)

    return step
