"""Attention masks over one stream of text tokens followed by image tokens (DALL-E, ruDALL-E).

The transformer reads ``[text tokens][image tokens]`` as one sequence and predicts every token
from the ones before it. Which earlier tokens a position may look at is a boolean matrix
``mask[query, key]`` (True: may attend), shape (L, L) with L = n_text + side * side:

- nobody looks ahead (causal): ``key <= query``; so text tokens see only earlier text;
- every image token sees every (real) text token: the whole prompt conditions each token;
- among image tokens, DALL-E mixes layers with different patterns (Child et al., 2019's
  sparse attention, laid out on the side x side grid of tokens, row by row):

  - ``"full"``: all earlier image tokens;
  - ``"row"``: the ``side + 1`` most recent image tokens: the current row so far, the end of
    the row above and the token directly above (DALL-E's row mask, Ramesh et al. 2021, its
    attention-mask figure: the query reaches back exactly one row, ``k >= q - side``);
  - ``"column"``: earlier image tokens in the same column;

- padding: text positions marked as padding are never looked at, except by themselves (a row
  with nothing to attend to would give NaN after the softmax).
"""

from __future__ import annotations

import torch

KINDS: tuple[str, ...] = ("full", "row", "column")


def text_image_mask(n_text: int, side: int, kind: str = "full",
                    text_padding: torch.Tensor | None = None) -> torch.Tensor:
    """Boolean mask (L, L), True where query (row) may attend key (column); see the module
    docstring. ``text_padding``: bool (n_text,), True at padding positions."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    if n_text < 0 or side < 1:
        raise ValueError(f"need n_text >= 0 and side >= 1, got {n_text} and {side}")
    n_image = side * side
    length = n_text + n_image
    mask = torch.ones(length, length, dtype=torch.bool).tril()
    q = torch.arange(n_image)[:, None]
    k = torch.arange(n_image)[None, :]
    if kind == "row":
        image = (k <= q) & (k >= q - side)
    elif kind == "column":
        image = (k <= q) & (k % side == q % side)
    else:
        image = k <= q
    mask[n_text:, n_text:] = image
    if text_padding is not None:
        text_padding = torch.as_tensor(text_padding, dtype=torch.bool)
        if text_padding.shape != (n_text,):
            raise ValueError(f"text_padding must have shape ({n_text},), "
                             f"got {tuple(text_padding.shape)}")
        mask[:, :n_text] &= ~text_padding[None, :]
        mask[torch.arange(length), torch.arange(length)] = True
    return mask
