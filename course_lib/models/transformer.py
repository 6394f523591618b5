"""A GPT over one stream of text tokens then image tokens: the text-to-image model of unit 07.

DALL-E and ruDALL-E train one decoder-only transformer on the concatenation
``[text tokens (text_len)] [image tokens (image_side ** 2), row by row]`` and generate the
image tokens one at a time after the caption. What is special compared with a language model:

- **One vocabulary, two modalities.** Text ids are ``0 .. text_vocab - 1``; image id ``k`` is
  stored as ``text_vocab + k`` in one shared embedding table. The output layer is tied to the
  same table; text positions score only text ids and image positions only image ids.
- **Positions.** Text tokens get a learned embedding per position; image tokens get a row
  embedding plus a column embedding, so the model knows where on the 2-D grid a token sits.
- **Attention mask** (:func:`attention_mask`): text attends causally to earlier text; every
  image token attends to *all* text tokens and to the earlier image tokens. (Because the text
  comes first this is the full causal mask of the stream; DALL-E additionally sparsifies the
  image-to-image part into row, column and convolutional patterns, which we do not need at
  64 tokens.)
- **Loss weighting.** The text and image cross-entropies are averaged with weights
  ``text_loss_weight : image_loss_weight`` (DALL-E: 1 : 7), so the model spends its capacity
  on images while still learning the captions' language. Padding is not scored.
- **KV cache.** When sampling, each new token needs only its own query; the keys and values
  of all earlier positions are kept per layer, so a step costs O(length) instead of
  recomputing the whole prefix.

Sampling follows ruDALL-E: temperature, then top-k, then nucleus (top-p) filtering
(:func:`filter_logits`). The block structure is nanoGPT's (pre-norm, GELU MLP).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class TransformerConfig:
    """Sizes; defaults are DALL-E's (Ramesh et al., 2021): 64 layers, 62 heads, d = 3968,
    256 text tokens from a 16,384-word BPE, 32 x 32 image tokens from 8,192 codes, loss 1:7."""

    text_vocab: int = 16_384
    text_len: int = 256
    image_vocab: int = 8192
    image_side: int = 32
    n_layer: int = 64
    n_head: int = 62
    d_model: int = 3968
    dropout: float = 0.0
    text_loss_weight: float = 1.0
    image_loss_weight: float = 7.0

    @property
    def image_len(self) -> int:
        return self.image_side**2

    @classmethod
    def course(cls, text_vocab: int, image_vocab: int = 512, text_len: int = 32
               ) -> TransformerConfig:
        """The CPU model of the course: 4 layers, d = 128, 32 text + 8 x 8 image tokens."""
        return cls(text_vocab=text_vocab, text_len=text_len, image_vocab=image_vocab,
                   image_side=8, n_layer=4, n_head=4, d_model=128, dropout=0.0)


def attention_mask(text_len: int, image_len: int) -> torch.Tensor:
    """Boolean (L, L) mask, True where query row i may attend to key column j.

    Text rows: causal over text, nothing of the image. Image rows: all text, and image
    columns up to and including their own position. With the text first, that is the plain
    causal mask of the stream (``attention_masks.text_image_mask``'s "full" pattern).
    """
    length = text_len + image_len
    return torch.ones(length, length, dtype=torch.bool).tril()


class KVCache:
    """Per-layer keys and values of the positions seen so far (preallocated)."""

    def __init__(self, n_layer: int, batch: int, n_head: int, max_len: int, head_dim: int,
                 device: torch.device | str = "cpu", dtype: torch.dtype = torch.float32) -> None:
        shape = (batch, n_head, max_len, head_dim)
        self.keys = [torch.zeros(shape, device=device, dtype=dtype) for _ in range(n_layer)]
        self.values = [torch.zeros(shape, device=device, dtype=dtype) for _ in range(n_layer)]
        self.length = 0  # positions stored (shared by all layers; advanced by the model)


class SelfAttention(nn.Module):
    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.n_head = config.n_head
        self.qkv = nn.Linear(config.d_model, 3 * config.d_model)
        self.proj = nn.Linear(config.d_model, config.d_model)
        self.dropout = config.dropout

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None,
                cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
        n, t, d = x.shape
        q, k, v = self.qkv(x).view(n, t, 3, self.n_head, d // self.n_head).permute(2, 0, 3, 1, 4)
        if cache is not None:  # append this chunk's keys/values, attend to everything so far
            start = cache.length
            cache.keys[layer][:, :, start:start + t] = k
            cache.values[layer][:, :, start:start + t] = v
            k = cache.keys[layer][:, :, :start + t]
            v = cache.values[layer][:, :, :start + t]
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask,
                                             dropout_p=self.dropout if self.training else 0.0)
        return self.proj(out.transpose(1, 2).reshape(n, t, d))


class Block(nn.Module):
    """Pre-norm transformer block: x + attn(ln(x)), then x + mlp(ln(x))."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        d = config.d_model
        self.ln1, self.attn = nn.LayerNorm(d), SelfAttention(config)
        self.ln2 = nn.LayerNorm(d)
        self.mlp = nn.Sequential(nn.Linear(d, 4 * d), nn.GELU(), nn.Linear(4 * d, d),
                                 nn.Dropout(config.dropout))

    def forward(self, x: torch.Tensor, mask: torch.Tensor | None,
                cache: KVCache | None = None, layer: int = 0) -> torch.Tensor:
        x = x + self.attn(self.ln1(x), mask, cache, layer)
        return x + self.mlp(self.ln2(x))


class TextImageTransformer(nn.Module):
    """Decoder-only transformer over ``[text ids] [image ids]`` (see the module docstring)."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = c = config
        self.tokens = nn.Embedding(c.text_vocab + c.image_vocab, c.d_model)
        self.text_pos = nn.Embedding(c.text_len, c.d_model)
        self.row_pos = nn.Embedding(c.image_side, c.d_model)
        self.col_pos = nn.Embedding(c.image_side, c.d_model)
        self.drop = nn.Dropout(c.dropout)
        self.blocks = nn.ModuleList([Block(c) for _ in range(c.n_layer)])
        self.ln_f = nn.LayerNorm(c.d_model)
        self.register_buffer("mask", attention_mask(c.text_len, c.image_len), persistent=False)
        self.apply(self._init)
        for name, p in self.named_parameters():  # GPT-2: scale the residual projections
            if name.endswith(("proj.weight", "mlp.2.weight")):
                nn.init.normal_(p, 0.0, 0.02 / math.sqrt(2 * c.n_layer))

    @staticmethod
    def _init(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, 0.0, 0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    def embed(self, text: torch.Tensor, image: torch.Tensor, image_start: int = 0) -> torch.Tensor:
        """Token + position embeddings of a text chunk then an image chunk (either may be empty).

        ``image_start`` is the grid position (row-major) of the first image token given.
        """
        c, parts = self.config, []
        if text.shape[1]:
            parts.append(self.tokens(text) + self.text_pos.weight[: text.shape[1]])
        if image.shape[1]:
            pos = torch.arange(image_start, image_start + image.shape[1], device=image.device)
            parts.append(self.tokens(image + c.text_vocab) + self.row_pos(pos // c.image_side)
                         + self.col_pos(pos % c.image_side))
        return self.drop(torch.cat(parts, dim=1))

    def logits(self, h: torch.Tensor, modality: str) -> torch.Tensor:
        """Scores of hidden states against the text or image part of the tied embedding."""
        table = self.tokens.weight
        table = table[: self.config.text_vocab] if modality == "text" else table[
            self.config.text_vocab:]
        return self.ln_f(h) @ table.t()

    def forward(self, text: torch.Tensor, image: torch.Tensor) -> torch.Tensor:
        """Hidden states (N, T + I, d) of the full stream ``text`` (N, T) then ``image`` (N, I).

        ``T`` must be ``text_len``; ``I`` may be shorter than the full grid (a prefix).
        """
        if text.shape[1] != self.config.text_len:
            raise ValueError(f"text must have {self.config.text_len} ids, got {text.shape[1]}")
        x = self.embed(text, image)
        length = x.shape[1]
        mask = self.mask[:length, :length]
        for block in self.blocks:
            x = block(x, mask)
        return x

    def loss(self, text: torch.Tensor, image: torch.Tensor, pad_id: int | None = None
             ) -> dict[str, torch.Tensor]:
        """Weighted next-token loss on a full stream (text (N, T), image (N, I) code ids).

        Position t predicts token t + 1: text positions 0..T-2 predict text 1..T-1 (padding
        not scored), positions T-1..T+I-2 predict the I image tokens.
        """
        c = self.config
        h = self(text, image[:, :-1])
        text_logits = self.logits(h[:, : c.text_len - 1], "text")
        image_logits = self.logits(h[:, c.text_len - 1:], "image")
        targets = text[:, 1:]
        ignore = pad_id if pad_id is not None else -100
        text_loss = F.cross_entropy(text_logits.reshape(-1, c.text_vocab), targets.reshape(-1),
                                    ignore_index=ignore)
        image_loss = F.cross_entropy(image_logits.reshape(-1, c.image_vocab), image.reshape(-1))
        total = (c.text_loss_weight * text_loss + c.image_loss_weight * image_loss) / (
            c.text_loss_weight + c.image_loss_weight)
        return {"loss": total, "text_loss": text_loss.detach(), "image_loss": image_loss.detach()}

    # ------------------------------------------------------------------ sampling
    def new_cache(self, batch: int) -> KVCache:
        c = self.config
        p = self.tokens.weight
        return KVCache(c.n_layer, batch, c.n_head, c.text_len + c.image_len,
                       c.d_model // c.n_head, p.device, p.dtype)

    def _run(self, x: torch.Tensor, cache: KVCache, mask: torch.Tensor | None) -> torch.Tensor:
        for layer, block in enumerate(self.blocks):
            x = block(x, mask, cache, layer)
        cache.length += x.shape[1]
        return x

    @torch.no_grad()
    def generate(self, text: torch.Tensor, temperature: float = 1.0, top_k: int = 0,
                 top_p: float = 1.0, generator: torch.Generator | None = None,
                 use_cache: bool = True) -> torch.Tensor:
        """Sample image token grids (N, side, side) for captions ``text`` (N, text_len).

        ``use_cache=False`` recomputes the whole stream at every step (slow; for checking that
        the KV cache changes nothing).
        """
        c, n = self.config, text.shape[0]
        empty = text.new_zeros(n, 0)
        out = text.new_zeros(n, c.image_len)
        if use_cache:
            cache = self.new_cache(n)
            h = self._run(self.embed(text, empty), cache, self.mask[:c.text_len, :c.text_len])
        else:
            h = self(text, empty)
        for j in range(c.image_len):
            logits = self.logits(h[:, -1], "image").float()
            out[:, j] = sample_logits(logits, temperature, top_k, top_p, generator)
            if j == c.image_len - 1:
                break
            if use_cache:
                h = self._run(self.embed(empty, out[:, j:j + 1], image_start=j), cache, None)
            else:
                h = self(text, out[:, : j + 1])
        return out.view(n, c.image_side, c.image_side)


def filter_logits(logits: torch.Tensor, top_k: int = 0, top_p: float = 1.0) -> torch.Tensor:
    """Set to -inf every score outside the top ``top_k`` and outside the nucleus ``top_p``.

    Top-k keeps the k highest scores (0: all). Top-p keeps the smallest set of highest-scoring
    tokens whose probabilities add up to at least ``top_p`` (1.0: all); the most likely token
    always stays.
    """
    logits = logits.clone()
    if 0 < top_k < logits.shape[-1]:
        kth = torch.topk(logits, top_k, dim=-1).values[..., -1:]
        logits[logits < kth] = float("-inf")
    if top_p < 1.0:
        sorted_logits, order = torch.sort(logits, dim=-1, descending=True)
        cumulative = sorted_logits.softmax(-1).cumsum(-1)
        # drop a token if the tokens before it already reach top_p
        drop_sorted = (cumulative - sorted_logits.softmax(-1)) >= top_p
        drop_sorted[..., 0] = False  # the most likely token always stays
        drop = torch.zeros_like(drop_sorted).scatter(-1, order, drop_sorted)
        logits[drop] = float("-inf")
    return logits


def sample_logits(logits: torch.Tensor, temperature: float = 1.0, top_k: int = 0,
                  top_p: float = 1.0, generator: torch.Generator | None = None) -> torch.Tensor:
    """One token id per row of ``logits`` (N, V): temperature, top-k, top-p, then sampling.

    ``temperature=0`` picks the most likely token (greedy).
    """
    if temperature == 0:
        return logits.argmax(-1)
    probs = filter_logits(logits / temperature, top_k, top_p).softmax(-1)
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)
