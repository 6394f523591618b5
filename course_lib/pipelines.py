"""Text to image in three steps, with the call shapes of ruDALL-E's ``rudalle.pipelines``.

ruDALL-E generates a picture from a prompt like this (its Colab, simplified)::

    pil_images, _ = generate_images(text, tokenizer, dalle, vae, top_k=1024, top_p=0.99,
                                    images_num=24)
    top_images, _ = cherry_pick_by_clip(pil_images, text, ruclip, ruclip_processor, count=6)
    sr_images = super_resolution(top_images, realesrgan)
    show(sr_images, 6)

The course's version takes the same arguments, with our models in their places:

1. :func:`generate_images`: the transformer samples image tokens after the prompt's text
   tokens (top-k / nucleus sampling), the VQ-GAN decodes each token grid to a 64 px picture;
2. :func:`cherry_pick_by_clip`: the tiny CLIP scores every picture against the prompt and
   keeps the ``count`` best (ruDALL-E's ``processor`` and ``device`` are accepted and ignored:
   our CLIP carries its own tokenizer and runs where its weights are);
3. :func:`super_resolution`: the x4 network enlarges the survivors to 256 px;
4. :func:`show`: a grid of the first ``n`` pictures.

Pictures travel as float tensors (N, 3, H, W) in [-1, 1], the form every course model takes;
:func:`to_pil` turns them into PIL images. Prompts may be English or Russian.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from course_lib.data.pixels import from_uint8, to_uint8

#: ruDALL-E's suggested (top_k, top_p) pairs, from more to less abstract, over 8,192 codes.
RUDALLE_SETTINGS: tuple[tuple[int, float], ...] = ((2048, 0.995), (1536, 0.99), (1024, 0.99))
#: The same share of the codebook for our 512 codes: top_k scaled by 512 / 8192.
COURSE_SETTINGS: tuple[tuple[int, float], ...] = ((128, 0.995), (96, 0.99), (64, 0.99))
DEFAULT_TOP_K, DEFAULT_TOP_P = COURSE_SETTINGS[-1]


def _check_text(text: Any) -> str:
    if not isinstance(text, str):
        raise TypeError(f"text must be a string (the prompt), got {type(text).__name__}")
    if not text.strip():
        raise ValueError("text is empty: give a prompt such as 'озеро в горах на закате'")
    return text


def _check_count(name: str, value: Any, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an integer, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def as_images(images: Any) -> torch.Tensor:
    """Pictures as a float tensor (N, 3, H, W) in [-1, 1].

    Accepts such a tensor (or one picture (3, H, W)), a list of tensors, or a list of PIL
    images (what ruDALL-E's functions pass around).
    """
    if isinstance(images, torch.Tensor):
        x = images[None] if images.ndim == 3 else images
    elif isinstance(images, (list, tuple)) and images:
        if all(isinstance(im, torch.Tensor) for im in images):
            x = torch.stack(list(images))
        else:
            try:
                arrays = [np.asarray(im.convert("RGB"), dtype=np.uint8) for im in images]
            except AttributeError:
                raise TypeError("images must be a tensor (N, 3, H, W) in [-1, 1] or a list "
                                "of PIL images or tensors") from None
            x = from_uint8(np.stack(arrays), channels_last=True)
    elif isinstance(images, (list, tuple)):
        raise ValueError("no images given")
    else:
        raise TypeError(f"images must be a tensor (N, 3, H, W) in [-1, 1] or a list of PIL "
                        f"images, got {type(images).__name__}")
    if x.ndim != 4 or x.shape[1] != 3:
        raise ValueError(f"expected pictures (N, 3, H, W), got shape {tuple(x.shape)}")
    if len(x) == 0:
        raise ValueError("no images given")
    return x.float()


def to_pil(images: Any) -> list:
    """Pictures (tensor in [-1, 1] or list) -> list of PIL RGB images."""
    from PIL import Image

    x = as_images(images)
    arrays = to_uint8(x, channels_last=True).numpy()
    return [Image.fromarray(a) for a in arrays]


@torch.no_grad()
def generate_images(text: str, tokenizer: Any, model: Any, vqgan: Any,
                    top_k: int = DEFAULT_TOP_K, top_p: float = DEFAULT_TOP_P,
                    images_num: int = 24, temperature: float = 1.0, seed: int | None = None,
                    batch_size: int = 24) -> tuple[torch.Tensor, torch.Tensor]:
    """Sample ``images_num`` pictures for the prompt ``text``.

    ``tokenizer`` (the transformer's BPE ``CaptionTokenizer``) turns the prompt into text ids;
    ``model`` (``TextImageTransformer``) samples the image tokens after them one by one, each
    from the top-k / nucleus (top-p) filtered distribution at ``temperature``, with its KV
    cache; ``vqgan`` decodes the token grids. Returns ``(images, scores)``: pictures
    (N, 3, H, W) in [-1, 1] and, for each, the mean log-probability the model gives its tokens
    (how typical the picture is for the prompt, before any filtering). ``seed`` makes the
    draw repeatable.
    """
    text = _check_text(text)
    images_num = _check_count("images_num", images_num)
    top_k = _check_count("top_k", top_k, minimum=0)
    batch_size = _check_count("batch_size", batch_size)
    if isinstance(top_p, bool) or not isinstance(top_p, (int, float)):
        raise TypeError(f"top_p must be a number in (0, 1], got {type(top_p).__name__}")
    if not 0.0 < float(top_p) <= 1.0:
        raise ValueError(f"top_p must be in (0, 1], got {top_p!r}")
    if not temperature > 0:
        raise ValueError(f"temperature must be positive, got {temperature!r}")
    device = next(model.parameters()).device
    generator = None
    if seed is not None:
        generator = torch.Generator(device=device).manual_seed(int(seed))
    batches, scores = [], []
    for start in range(0, images_num, batch_size):
        n = min(batch_size, images_num - start)
        ids = tokenizer.encode_batch([text] * n).to(device)
        grids = model.generate(ids, temperature, top_k, float(top_p), generator)
        batches.append(vqgan.decode_indices(grids).cpu())
        scores.append(token_log_likelihood(model, ids, grids).cpu())
    return torch.cat(batches), torch.cat(scores)


@torch.no_grad()
def token_log_likelihood(model: Any, ids: torch.Tensor, grids: torch.Tensor) -> torch.Tensor:
    """Mean log-probability (N,) of image token grids (N, side, side) after captions ``ids``."""
    text_len = model.config.text_len
    flat = grids.reshape(len(grids), -1).to(ids.device)
    hidden = model(ids, flat[:, :-1])
    logp = model.logits(hidden[:, text_len - 1:], "image").float().log_softmax(-1)
    return logp.gather(-1, flat[..., None])[..., 0].mean(1)


@torch.no_grad()
def cherry_pick_by_clip(images: Any, text: str, clip: Any, processor: Any = None,
                        count: int | None = None, device: Any = None
                        ) -> tuple[torch.Tensor, torch.Tensor]:
    """Re-rank pictures by CLIP similarity to ``text``; keep the ``count`` best (default all).

    ``processor`` and ``device`` take ruDALL-E's ``ruclip_processor`` and ``device`` so that
    its call runs unchanged; both are ignored (the course's CLIP tokenizes for itself and runs
    on the device of its weights). Returns ``(top_images, scores)``, best first: pictures and
    their cosine similarities.
    """
    text = _check_text(text)
    x = as_images(images)
    count = len(x) if count is None else _check_count("count", count)
    sims = clip.similarity(x, [text])[:, 0]
    order = sims.argsort(descending=True)[:count]
    return x[order], sims[order]


@torch.no_grad()
def super_resolution(images: Any, sr_model: Any, batch_size: int = 8) -> torch.Tensor:
    """Enlarge pictures with the super-resolution net (x4: 64 px -> 256 px), in [-1, 1]."""
    from course_lib.models.super_resolution import upscale

    return upscale(sr_model, as_images(images), batch_size=batch_size)


def show(images: Any, n: int | None = None, ncols: int = 6, titles: Sequence[str] | None = None,
         size: float = 2.0):
    """Draw the first ``n`` pictures (default all) in a grid; returns the matplotlib figure."""
    import matplotlib.pyplot as plt

    x = as_images(images)
    n = len(x) if n is None else min(_check_count("n", n), len(x))
    cols = min(ncols, n)
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(cols * size, rows * size), squeeze=False)
    pictures = ((x[:n].clamp(-1, 1) + 1) / 2).permute(0, 2, 3, 1).numpy()
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < n:
            ax.imshow(pictures[i])
            if titles is not None and i < len(titles):
                ax.set_title(titles[i], fontsize=8)
    fig.tight_layout()
    return fig
