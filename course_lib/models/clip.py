"""A tiny CLIP for Landscapes: pictures and captions in one embedding space.

CLIP (Radford et al., 2021) trains an image encoder and a text encoder together so that a
picture and its caption land close to each other and far from the other captions of the
batch. ruDALL-E uses (ru)CLIP to re-rank the pictures its transformer draws: of 24 samples,
keep the ones whose embedding is closest to the prompt's. This module is the same idea at
course scale:

- :class:`WordTokenizer`: a word-level vocabulary built from the Landscapes captions in English
  and Russian (self-contained, so CLIP does not depend on the transformer's BPE tokenizer);
  unknown words map to ``<unk>``, ``ё`` is read as ``е``.
- :class:`ImageEncoder`: a small CNN, 64 px pictures in [-1, 1] -> one vector.
- :class:`TextEncoder`: token and position embeddings, a few pre-norm transformer layers,
  the mean over real (non-padding) tokens -> one vector.
- :class:`TinyCLIP`: both encoders, L2-normalised outputs and a learnable temperature
  (CLIP's ``logit_scale``, initialised to 1/0.07 and capped at 100).
- :func:`clip_loss`: the symmetric InfoNCE loss: cross-entropy over the rows of the
  image-text similarity matrix (which caption belongs to this picture?) and over its columns
  (which picture belongs to this caption?), averaged.

A trained checkpoint ships in ``course_lib/checkpoints/landscapes_clip`` (``load_clip()``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from course_lib.losses.perceptual import feature_distance
from course_lib.models.weights_file import (
    CHECKPOINT_DIR,  # noqa: F401  (re-exported: the CLI's default output folder)
    checkpoint_path,
    load_weights,
    read_sidecar,
    save_weights,
)

CHECKPOINT_NAME = "landscapes_clip"
SPECIALS: tuple[str, ...] = ("<pad>", "<unk>")
_WORD = re.compile(r"[\w-]+", re.UNICODE)


def split_words(text: str) -> list[str]:
    """Lower-cased words of ``text`` (hyphenated words stay whole; ``ё`` becomes ``е``)."""
    return _WORD.findall(text.lower().replace("ё", "е"))


class WordTokenizer:
    """Words -> ids over a fixed vocabulary; id 0 pads, id 1 stands for unknown words."""

    def __init__(self, words: Iterable[str], max_len: int = 32) -> None:
        vocab = [w for w in dict.fromkeys(words) if w not in SPECIALS]
        self.itos: list[str] = [*SPECIALS, *vocab]
        self.stoi: dict[str, int] = {w: i for i, w in enumerate(self.itos)}
        self.max_len = max_len

    @classmethod
    def from_texts(cls, texts: Iterable[str], max_len: int = 32) -> WordTokenizer:
        """A vocabulary of every word in ``texts``, sorted, so it does not depend on order."""
        return cls(sorted({w for t in texts for w in split_words(t)}), max_len)

    @classmethod
    def for_landscapes(cls, n_scenes: int = 3000, max_len: int = 32) -> WordTokenizer:
        """The vocabulary of all English and Russian captions of the first training scenes."""
        from course_lib.data.landscapes import captions, sample_scene

        texts = [c for s in range(n_scenes) for lang in ("en", "ru")
                 for c in captions(sample_scene(s), lang)]
        return cls.from_texts(texts, max_len)

    def __len__(self) -> int:
        return len(self.itos)

    def encode(self, text: str) -> list[int]:
        """Ids of the words of ``text`` (cut to ``max_len``)."""
        unk = self.stoi["<unk>"]
        return [self.stoi.get(w, unk) for w in split_words(text)][: self.max_len]

    def __call__(self, texts: str | Sequence[str]) -> torch.Tensor:
        """A batch of ids (N, max_len) int64, padded with 0."""
        if isinstance(texts, str):
            texts = [texts]
        out = torch.zeros(len(texts), self.max_len, dtype=torch.long)
        for i, text in enumerate(texts):
            if not isinstance(text, str):
                raise TypeError(f"captions must be strings, got {type(text).__name__}")
            ids = self.encode(text)
            out[i, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        return out


@dataclass
class ClipConfig:
    """Sizes of the tiny CLIP (course scale: about 1.2 M parameters)."""

    vocab_size: int = 256  # rows of the word embedding; the tokenizer may know fewer words
    max_len: int = 32  # caption tokens kept (the tokenizer cuts longer captions)
    embed_dim: int = 128  # the shared space both encoders project into
    image_size: int = 32  # pictures are averaged down to this side before the CNN
    image_widths: tuple[int, ...] = (32, 64, 128, 192)  # channels of the stride-2 CNN stages
    text_width: int = 128  # the text transformer: width, number of layers, attention heads
    text_layers: int = 2
    text_heads: int = 4
    init_temperature: float = 0.07  # CLIP's: logits start as cosine similarity / 0.07
    max_logit_scale: float = 100.0  # CLIP caps the learned inverse temperature at 100


def _conv_block(cin: int, cout: int) -> nn.Sequential:
    """Halve the resolution: strided 3x3 conv, then a 3x3 conv, each with BN and ReLU."""
    return nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride=2, padding=1, bias=False), nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
        nn.Conv2d(cout, cout, 3, padding=1, bias=False), nn.BatchNorm2d(cout),
        nn.ReLU(inplace=True),
    )


class ImageEncoder(nn.Module):
    """CNN: (N, 3, H, W) in [-1, 1] -> (N, embed_dim); each stage halves H and W.

    Pictures of any size are first averaged down to ``image_size`` (32 px is enough to see
    the sky's colour, water, mountains, snow and trees, and costs a quarter of 64 px), so
    the same encoder scores 64 px samples and 256 px super-resolved ones.
    """

    def __init__(self, widths: Sequence[int], embed_dim: int, image_size: int = 32) -> None:
        super().__init__()
        self.image_size = image_size
        chans = [3, *widths]
        pairs = zip(chans[:-1], chans[1:], strict=True)
        self.stages = nn.Sequential(*[_conv_block(a, b) for a, b in pairs])
        self.proj = nn.Linear(widths[-1] * 4, embed_dim)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        if images.shape[-1] != self.image_size or images.shape[-2] != self.image_size:
            images = F.interpolate(images, size=(self.image_size, self.image_size),
                                   mode="area")
        x = self.stages(images)
        # The 2x2 pooled grid keeps a little layout (sky on top, water below): whole-image
        # averaging would throw away *where* things are.
        x = F.adaptive_avg_pool2d(x, 2).flatten(1)
        return self.proj(x)


class TextEncoder(nn.Module):
    """Token + position embeddings, pre-norm transformer layers, mean over real tokens."""

    def __init__(self, config: ClipConfig) -> None:
        super().__init__()
        c = config
        self.token = nn.Embedding(c.vocab_size, c.text_width, padding_idx=0)
        self.position = nn.Parameter(torch.randn(c.max_len, c.text_width) * 0.02)
        layer = nn.TransformerEncoderLayer(c.text_width, c.text_heads, 2 * c.text_width,
                                           dropout=0.0, batch_first=True, norm_first=True)
        self.layers = nn.TransformerEncoder(layer, c.text_layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(c.text_width)
        self.proj = nn.Linear(c.text_width, c.embed_dim)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        pad = ids == 0
        # An empty caption would leave nothing to attend to: let it see its first position.
        pad[:, 0] = False
        x = self.token(ids) + self.position[: ids.shape[1]]
        x = self.norm(self.layers(x, src_key_padding_mask=pad))
        keep = (~pad).unsqueeze(-1).float()
        return self.proj((x * keep).sum(1) / keep.sum(1))


class TinyCLIP(nn.Module):
    """Image and text encoders into one space; ``forward`` gives image-by-text logits."""

    def __init__(self, config: ClipConfig | None = None,
                 tokenizer: WordTokenizer | None = None) -> None:
        super().__init__()
        self.config = config = config or ClipConfig()
        self.tokenizer = tokenizer
        if tokenizer is not None and len(tokenizer) > config.vocab_size:
            raise ValueError(f"the tokenizer has {len(tokenizer)} words but vocab_size is "
                             f"{config.vocab_size}")
        self.image_encoder = ImageEncoder(config.image_widths, config.embed_dim,
                                          config.image_size)
        self.text_encoder = TextEncoder(config)
        self.logit_scale = nn.Parameter(torch.tensor(math.log(1.0 / config.init_temperature)))

    def encode_image(self, images: torch.Tensor) -> torch.Tensor:
        """Unit-length embeddings (N, D) of pictures (N, 3, H, W) in [-1, 1]."""
        return F.normalize(self.image_encoder(images), dim=-1)

    def encode_text(self, texts: str | Sequence[str] | torch.Tensor) -> torch.Tensor:
        """Unit-length embeddings (N, D) of captions (strings, or ids from the tokenizer)."""
        if not isinstance(texts, torch.Tensor):
            if self.tokenizer is None:
                raise ValueError("this CLIP has no tokenizer: pass token ids")
            texts = self.tokenizer(texts)
        device = self.logit_scale.device
        return F.normalize(self.text_encoder(texts.to(device)), dim=-1)

    def scale(self) -> torch.Tensor:
        """The inverse temperature exp(logit_scale), capped as in CLIP."""
        return self.logit_scale.exp().clamp(max=self.config.max_logit_scale)

    def forward(self, images: torch.Tensor, ids: torch.Tensor) -> torch.Tensor:
        """Logits (N_images, N_texts): scaled cosine similarities."""
        return self.scale() * self.encode_image(images) @ self.encode_text(ids).T

    @torch.no_grad()
    def similarity(self, images: torch.Tensor, texts: str | Sequence[str],
                   batch_size: int = 256) -> torch.Tensor:
        """Cosine similarities (N_images, N_texts) in eval mode, images in batches."""
        was_training = self.training
        self.eval()
        device = self.logit_scale.device
        text = self.encode_text(texts)
        image = torch.cat([self.encode_image(images[i:i + batch_size].to(device))
                           for i in range(0, len(images), batch_size)])
        self.train(was_training)
        return (image @ text.T).cpu()


def clip_loss(image_emb: torch.Tensor, text_emb: torch.Tensor,
              logit_scale: torch.Tensor | float) -> torch.Tensor:
    """Symmetric InfoNCE: row ``i`` of both batches is a matching (picture, caption) pair.

    Embeddings are L2-normalised here; ``logit_scale`` is the inverse temperature (the
    *exponentiated* value, e.g. ``1 / 0.07``). Returns the mean of the picture-to-caption and
    caption-to-picture cross-entropies.
    """
    if image_emb.shape != text_emb.shape:
        raise ValueError(f"expected matching batches, got {tuple(image_emb.shape)} and "
                         f"{tuple(text_emb.shape)}")
    logits = logit_scale * F.normalize(image_emb, dim=-1) @ F.normalize(text_emb, dim=-1).T
    target = torch.arange(len(logits), device=logits.device)
    return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2


class ClipPerceptual(nn.Module):
    """Perceptual distance on the frozen course CLIP's image tower (``losses.perceptual``).

    A stand-in for the VGG loss of pix2pixHD and SPADE whose ImageNet weights cannot be
    downloaded here. The tower learned what captions say about a render (time of day, season,
    water, mountains, trees), and it is not the network that scores units 05-06 (the
    segmenter: a loss on its features would raise mIoU without better pictures). It sees
    pictures at its ``image_size`` (32 px): colour, light and layout, not single pixels.
    """

    def __init__(self, clip: TinyCLIP | None = None) -> None:
        super().__init__()
        self.tower = (clip or load_clip()).image_encoder.eval().requires_grad_(False)

    def train(self, mode: bool = True) -> ClipPerceptual:
        return super().train(False)  # the tower's batch norm stays in eval mode

    def forward(self, images: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The distance after each of the tower's stages (16, 8, 4 and 2 px at 32 px)."""
        size = self.tower.image_size
        x = F.interpolate(torch.cat([images, targets]), size=(size, size), mode="area")
        features = []
        for stage in self.tower.stages:
            x = stage(x)
            features.append(x)
        return feature_distance(features)


def count_parameters(model: nn.Module) -> int:
    """Trainable parameters of ``model``."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def save_clip(model: TinyCLIP, path: str | Path, meta: dict[str, Any]) -> Path:
    """Write fp16 safetensors plus a JSON sidecar (config, vocabulary, ``meta``), atomically.

    The temperature is one number that matters a lot, so it stays in full precision.
    """
    vocab = model.tokenizer.itos if model.tokenizer is not None else None
    sidecar = {"config": asdict(model.config), **meta, "vocabulary": vocab}
    return save_weights(model.state_dict(), path, sidecar, keep_fp32={"logit_scale"})


def load_clip(path: str | Path | None = None, device: str | torch.device = "cpu") -> TinyCLIP:
    """Load a CLIP (default: the shipped checkpoint) with its tokenizer, in eval mode."""
    state, meta = load_weights(checkpoint_path(path, CHECKPOINT_NAME), "CLIP", "course train clip")
    config = meta["config"]
    config["image_widths"] = tuple(config["image_widths"])
    config = ClipConfig(**config)
    vocab = meta.get("vocabulary")
    tokenizer = WordTokenizer(vocab, config.max_len) if vocab else None
    model = TinyCLIP(config, tokenizer)
    model.load_state_dict(state)
    return model.to(device).eval()


def checkpoint_info(path: str | Path | None = None) -> dict[str, Any]:
    """The JSON sidecar of a CLIP checkpoint (command, seed, date, measured quality)."""
    info = read_sidecar(checkpoint_path(path, CHECKPOINT_NAME))
    info.pop("vocabulary", None)
    return info
