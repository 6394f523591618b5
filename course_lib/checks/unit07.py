"""Checks for unit 07 (VQ-GAN + transformer): nearest-code lookup with a straight-through
gradient, the text-and-image attention mask, top-k / top-p filtering, CLIP's contrastive loss.

Each check runs hand-made cases whose answers can be worked out on paper, then compares the
student's function with course_lib's reference (the VQ-GAN's quantiser, the attention masks
the lecture draws, the tiny CLIP's loss) on random cases.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import torch
from torch.nn import functional as F

from course_lib.checks import expect, passed

# ---------------------------------------------------------------------------------------------
# Parts 1 and 2: nearest code, straight-through gradient, the VQ loss


def _call_quantize(fn: Callable, z: torch.Tensor, codebook: torch.Tensor):
    out = fn(z, codebook)
    expect(isinstance(out, tuple) and len(out) == 2,
           "quantize must return two things: (z_q, indices).")
    z_q, indices = out
    expect(isinstance(z_q, torch.Tensor) and isinstance(indices, torch.Tensor),
           "quantize must return tensors: z_q (M, D) float and indices (M,) int64.")
    expect(tuple(z_q.shape) == tuple(z.shape),
           f"z_q must have the shape of z {tuple(z.shape)}, got {tuple(z_q.shape)}.")
    expect(tuple(indices.shape) == (z.shape[0],),
           f"indices must have one entry per vector of z: shape ({z.shape[0]},), got "
           f"{tuple(indices.shape)}. Take the argmin over the codes (dim=1 of the distances).")
    expect(not indices.is_floating_point(), "indices must be integers (torch.long): they are "
           "token ids.")
    return z_q, indices


def _reference_nearest(z: torch.Tensor, codebook: torch.Tensor) -> torch.Tensor:
    """Nearest-code indices from the course's VQ-GAN quantiser (plain distances without it)."""
    try:
        from course_lib.models.vqgan.quantizer import VectorQuantizer
    except ImportError:
        return torch.cdist(z, codebook).argmin(1)
    ref = VectorQuantizer(*codebook.shape)
    with torch.no_grad():
        ref.codebook.weight.copy_(codebook)
    return ref.nearest(z)


def check_quantize(fn: Callable) -> None:
    """``quantize(z (M, D), codebook (K, D)) -> (z_q (M, D), indices (M,))``."""
    codebook = torch.tensor([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [3.0, 3.0]])
    z = torch.tensor([[0.9, 0.1], [0.1, 0.2], [0.2, 0.7], [2.0, 2.1], [1.2, 1.0]])
    z_q, indices = _call_quantize(fn, z.clone(), codebook.clone())
    want = torch.tensor([1, 0, 2, 3, 1])
    if not torch.equal(indices.cpu().long(), want):
        dot = (z @ codebook.T).argmax(1)
        hint = ""
        if torch.equal(indices.cpu().long(), dot):
            hint = (" You picked the code with the largest dot product; the nearest code has "
                    "the smallest squared distance ||z - e||^2 = ||z||^2 - 2 z.e + ||e||^2 "
                    "(the ||e||^2 term matters: long codes are not closer).")
        raise_msg = (f"Hand case: codebook {codebook.tolist()}, vectors {z.tolist()}: the "
                     f"nearest codes are {want.tolist()}, you found "
                     f"{indices.tolist()}.{hint}")
        expect(False, raise_msg)
    expect(torch.allclose(z_q.detach().float(), codebook[want]),
           "z_q must hold the chosen code vectors (codebook[indices]) in its values.")

    # Straight-through: the gradient reaches z unchanged.
    z = torch.randn(7, 3, generator=torch.Generator().manual_seed(0), requires_grad=True)
    book = torch.randn(5, 3, generator=torch.Generator().manual_seed(1), requires_grad=True)
    z_q, indices = _call_quantize(fn, z, book)
    weight = torch.arange(21, dtype=torch.float32).reshape(7, 3)
    expect(z_q.requires_grad, "No gradient flows through z_q: the encoder would never learn. "
           "Return z + (z_q - z).detach(): the value of z_q, the gradient of z.")
    (z_q * weight).sum().backward()
    expect(z.grad is not None and torch.allclose(z.grad, weight),
           "The gradient that reaches z must be the gradient of z_q, copied unchanged "
           "(straight-through estimator): z_q_st = z + (z_q - z).detach().")
    expect(book.grad is None or torch.count_nonzero(book.grad) == 0,
           "The straight-through output must not send gradient into the codebook (the codes "
           "learn through the codebook loss or by moving averages): detach (z_q - z).")

    # Against the VQ-GAN's quantiser on a random case.
    gen = torch.Generator().manual_seed(2)
    codebook = torch.randn(32, 8, generator=gen)
    z = torch.randn(200, 8, generator=gen)
    _, indices = _call_quantize(fn, z, codebook.clone())
    expect(torch.equal(indices.cpu().long(), _reference_nearest(z, codebook)),
           "On 200 random vectors and 32 codes your indices differ from the VQ-GAN's "
           "quantiser (course_lib.models.vqgan.VectorQuantizer.nearest).")
    passed("quantize finds the nearest codes and passes gradients straight through")


def _vq_case(seed: int, m: int = 12, k: int = 6, d: int = 4):
    """Encoder rows z (M, D) and their nearest codes z_q = codebook[indices], both tracked."""
    gen = torch.Generator().manual_seed(seed)
    z = torch.randn(m, d, generator=gen).requires_grad_(True)
    codebook = torch.randn(k, d, generator=gen).requires_grad_(True)
    indices = _reference_nearest(z.detach(), codebook.detach())
    return z, codebook, indices


def _vq_gradients(fn: Callable, seed: int, beta: float):
    z, codebook, indices = _vq_case(seed)
    loss = fn(z, codebook[indices], beta)
    expect(isinstance(loss, torch.Tensor) and loss.ndim == 0,
           "Return one number as a 0-dimensional tensor (so that it can be back-propagated).")
    loss.backward()
    return loss.detach(), z.grad, codebook.grad


def check_vq_loss(fn: Callable, beta: float = 0.25, seed: int = 0) -> None:
    """``vq_loss(z, z_q, beta)``: codebook term + beta * commitment term, with stop-gradients.

    The value alone cannot tell the two terms apart (both are the mean squared distance), so
    the check looks at where the gradients go: the codebook term moves only the codes, the
    commitment term (times beta) only the encoder output.
    """
    from course_lib.models.vqgan.quantizer import vq_loss as reference

    loss, z_grad, code_grad = _vq_gradients(fn, seed, beta)
    want, want_z, want_codes = _vq_gradients(reference, seed, beta)
    mse = float(want) / (1 + beta)
    if not torch.allclose(loss, want, rtol=1e-5):
        if abs(float(loss) - mse) < 1e-5 * max(mse, 1.0):
            hint = ("that is one term only: add the codebook term mse(z_q, sg[z]) and beta "
                    "times the commitment term mse(z, sg[z_q]).")
        elif abs(float(loss) - float(want) * want_z.numel()) < 1e-3 * float(loss):
            hint = "use the MEAN squared difference (F.mse_loss), not the sum."
        else:
            hint = "return F.mse_loss(z_q, z.detach()) + beta * F.mse_loss(z, z_q.detach())."
        expect(False, f"Your loss is {float(loss):.5f}, expected {float(want):.5f} for beta = "
                      f"{beta}: {hint}")
    expect(z_grad is not None and code_grad is not None,
           "A gradient is missing: the codebook term must reach the codes and the commitment "
           "term the encoder output. Did you detach both, or compute under torch.no_grad()?")
    if not (torch.allclose(z_grad, want_z, atol=1e-7) and
            torch.allclose(code_grad, want_codes, atol=1e-7)):
        if torch.allclose(z_grad, want_z / beta, atol=1e-6) and torch.allclose(
                code_grad, want_codes * beta, atol=1e-6):
            hint = ("beta sits on the codebook term. In the VQ-VAE paper (and this course) beta "
                    "weights the COMMITMENT term, beta * ||z - sg[z_q]||^2, which keeps the "
                    "encoder near its codes; the codes themselves learn at full rate.")
        elif torch.allclose(z_grad, want_z * (1 + beta) / beta, atol=1e-6):
            hint = ("no stop-gradient: both terms push both the encoder and the codes. Detach "
                    "z in the codebook term and z_q in the commitment term.")
        else:
            hint = ("the codebook term mse(z_q, z.detach()) must move only the codes, the "
                    "commitment term beta * mse(z, z_q.detach()) only the encoder output.")
        expect(False, f"The value is right, but the gradients go to the wrong places: {hint}")
    passed(f"VQ loss: codebook term on the codes, beta = {beta} times commitment on the encoder")


# ---------------------------------------------------------------------------------------------
# Part 3: the text + image attention mask


def _reference_mask(n_text: int, side: int, kind: str, padding) -> torch.Tensor:
    from course_lib.models.attention_masks import text_image_mask

    return text_image_mask(n_text, side, kind, padding)


def _describe_mask_error(got: torch.Tensor, want: torch.Tensor, n_text: int,
                         side: int = 0, kind: str = "full") -> str:
    q, k = (got != want).nonzero()[0].tolist()
    part = lambda i: "text" if i < n_text else "image"  # noqa: E731
    should = "may" if want[q, k] else "must not"
    text = (f"Position {q} ({part(q)} token) {should} attend position {k} ({part(k)} token), "
            f"your mask says {bool(got[q, k])}.")
    if k > q:
        text += " Nobody may look ahead: key <= query."
    elif part(q) == "image" and part(k) == "text":
        text += " Every image token sees every (real) text token."
    elif q == k:
        text += (" Every position attends itself (even padding), otherwise its row is empty "
                 "and the softmax gives NaN.")
    elif kind == "row" and part(k) == "image" and q - k == side:
        text += (" The row pattern reaches back one whole row, to the token directly above: "
                 "i - side <= j <= i (side + 1 image tokens).")
    return text


def check_attention_mask(fn: Callable) -> None:
    """``attention_mask(n_text, side, kind="full", text_padding=None) -> bool (L, L)``."""
    cases = [(2, 2, "full", None), (3, 3, "full", None), (2, 3, "row", None),
             (1, 3, "column", None), (3, 2, "full", [False, False, True]),
             (4, 3, "row", [False, True, False, True]), (0, 2, "full", None)]
    for n_text, side, kind, pad in cases:
        padding = None if pad is None else torch.tensor(pad)
        got = fn(n_text, side, kind, padding)
        want = _reference_mask(n_text, side, kind, padding)
        where = f"For n_text={n_text}, side={side}, kind={kind!r}, text_padding={pad}: "
        expect(isinstance(got, torch.Tensor), where + "return a torch tensor.")
        expect(tuple(got.shape) == tuple(want.shape),
               where + f"the mask must be (L, L) with L = n_text + side * side = {len(want)}, "
               f"got {tuple(got.shape)}.")
        expect(got.dtype == torch.bool, where + "return a bool tensor (True: may attend).")
        if not torch.equal(got, want):
            expect(False, where + _describe_mask_error(got, want, n_text, side, kind))
    passed("the attention mask matches the reference (causal, text for all, row/column, padding)")


# ---------------------------------------------------------------------------------------------
# Part 4: top-k / top-p filtering


def _reference_filter(logits: torch.Tensor, top_k: int, top_p: float) -> torch.Tensor:
    """Top-k first, then top-p on the renormalised survivors (the crossing token is kept)."""
    from course_lib.models.transformer import filter_logits

    return filter_logits(logits.float(), top_k, top_p)


def _kept(x: torch.Tensor) -> list:
    return torch.isfinite(x).tolist()


def check_filter_logits(fn: Callable) -> None:
    """``filter_logits(logits, top_k=0, top_p=1.0)``: removed tokens get ``-inf``."""
    ordered = [0.5, 0.3, 0.15, 0.05]
    shuffled = [0.15, 0.5, 0.05, 0.3]  # the same, unsorted: top-p must sort first
    cases = [  # (probabilities, top_k, top_p, kept)
        (ordered, 2, 1.0, [True, True, False, False]),
        (ordered, 0, 0.6, [True, True, False, False]),
        (ordered, 0, 0.85, [True, True, True, False]),
        (ordered, 0, 0.4, [True, False, False, False]),
        (ordered, 0, 1.0, [True, True, True, True]),
        (ordered, 10, 1.0, [True, True, True, True]),
        (ordered, 3, 0.82, [True, True, False, False]),
        (shuffled, 0, 0.6, [False, True, False, True]),
        (shuffled, 0, 0.85, [True, True, False, True]),
        (shuffled, 2, 1.0, [False, True, False, True]),
    ]
    for probs_list, top_k, top_p, kept in cases:
        probs = torch.tensor(probs_list)
        logits = probs.log()
        x = logits.clone()
        out = fn(x, top_k=top_k, top_p=top_p)
        where = f"Probabilities {probs_list}, top_k={top_k}, top_p={top_p}: "
        expect(isinstance(out, torch.Tensor) and out.shape == logits.shape,
               where + "return a tensor of the same shape as logits.")
        expect(torch.equal(x, logits), "filter_logits changed its input in place; work on a "
               "copy (logits.clone()) so the caller's logits stay intact.")
        got = _kept(out)
        if got != kept:
            hint = ""
            before = (probs.cumsum(0) - probs) < top_p  # top-p in the order given, unsorted
            if probs_list != sorted(probs_list, reverse=True) and got == before.tolist():
                hint = (" You kept tokens in the order they come, but top-p ranks them by "
                        "probability: sort (torch.sort(..., descending=True)), take the "
                        "cumulative sum there, and scatter the decision back.")
            elif top_p < 1.0 and sum(got) == sum(kept) - 1:
                hint = (" You dropped the token that crosses the threshold: keep tokens while "
                        "the probability mass BEFORE them is still below top_p, so at least "
                        "top_p of the mass survives.")
            elif top_k and top_p < 1.0:
                hint = (" Apply top-k first, then top-p on the survivors' renormalised "
                        "probabilities (softmax of the filtered logits).")
            elif top_k >= len(logits):
                hint = " top_k larger than the vocabulary keeps every token."
            elif top_p == 1.0 and top_k == 0:
                hint = " top_k=0 and top_p=1.0 mean: no filtering."
            expect(False, where + f"the kept tokens should be {kept}, yours are {got}.{hint}")
        finite = torch.isfinite(out)
        expect(torch.allclose(out[finite], logits[finite]),
               where + "kept tokens must keep their logits unchanged; removed ones get -inf.")
        expect(bool((out[~finite] == -math.inf).all()), where + "removed tokens must be -inf "
               "(so softmax gives them probability exactly 0).")
    gen = torch.Generator().manual_seed(0)
    batch = torch.randn(6, 50, generator=gen) * 3
    for top_k, top_p in ((5, 1.0), (0, 0.9), (20, 0.7), (1, 0.5)):
        got = fn(batch.clone(), top_k=top_k, top_p=top_p)
        want = _reference_filter(batch, top_k, top_p)
        expect(got.shape == batch.shape and _kept(got) == _kept(want),
               f"On a batch of 6 rows of 50 random logits with top_k={top_k}, top_p={top_p}, "
               "the kept tokens differ from the reference. Each row is filtered on its own "
               "(sort and cumsum along the last dimension).")
    passed("filter_logits keeps the right tokens (top-k, then nucleus on the rest)")


# ---------------------------------------------------------------------------------------------
# Part 5: one sampling step with a KV cache


def _run_with_cache(fn: Callable, q: torch.Tensor, k: torch.Tensor, v: torch.Tensor):
    """Feed positions one at a time through ``fn``; returns the stacked outputs and the cache."""
    n, h, length, d = q.shape
    past_k, past_v = q.new_zeros(n, h, 0, d), q.new_zeros(n, h, 0, d)
    outs = []
    for t in range(length):
        got = fn(q[:, :, t:t + 1], k[:, :, t:t + 1], v[:, :, t:t + 1], past_k, past_v)
        expect(isinstance(got, tuple) and len(got) == 3,
               "Return three tensors: (output, keys, values), the last two being the cache "
               "for the next step.")
        out, past_k, past_v = got
        expect(tuple(out.shape) == (n, h, 1, d),
               f"The output of one step should have shape {(n, h, 1, d)} (one new position), "
               f"got {tuple(out.shape)}.")
        expect(tuple(past_k.shape) == (n, h, t + 1, d) and tuple(past_v.shape) == (n, h, t + 1, d),
               f"After step {t + 1} the cache should hold {t + 1} positions, shape "
               f"{(n, h, t + 1, d)}; your keys have shape {tuple(past_k.shape)}: append the new "
               "key and value along the positions axis, torch.cat([past, new], dim=2).")
        outs.append(out)
    return torch.cat(outs, dim=2), past_k, past_v


def check_cached_attention(fn: Callable, seed: int = 0) -> None:
    """``fn(q, k, v, past_k, past_v) -> (out, keys, values)``: attention of ONE new position.

    Run position by position from an empty cache, the outputs must equal causal attention over
    the whole sequence computed at once (what the transformer's training forward computes),
    and the cache must end up holding every key and value.
    """
    gen = torch.Generator().manual_seed(seed)
    q, k, v = (torch.randn(2, 3, 6, 8, generator=gen) for _ in range(3))
    want = F.scaled_dot_product_attention(q, k, v, is_causal=True)
    got, keys, values = _run_with_cache(fn, q, k, v)
    if not torch.allclose(got, want, atol=1e-5):
        unscaled = F.scaled_dot_product_attention(q, k, v, is_causal=True, scale=1.0)
        if torch.allclose(got, unscaled, atol=1e-5):
            hint = ("the scores are not divided by sqrt(head_dim): softmax(q k^T / sqrt(d)).")
        elif torch.allclose(got[:, :, 1:], v[:, :, :1].expand(-1, -1, 5, -1), atol=1e-5):
            hint = ("every step returns the FIRST value: a causal mask on a single query "
                    "(is_causal=True with one row) lets it see only position 0. The new "
                    "position may attend to everything in the cache: no mask is needed.")
        else:
            hint = ("append the new key and value to the cache first, then attend: "
                    "softmax(q @ keys^T / sqrt(d)) @ values over all positions so far.")
        expect(False, f"Step by step, your outputs differ from causal attention over the "
                      f"whole sequence (largest difference {float((got - want).abs().max()):.3g})"
                      f": {hint}")
    expect(torch.equal(keys, k) and torch.equal(values, v),
           "The final cache should hold every key and value, in order of position.")
    passed("KV cache: one new position at a time gives exactly the causal attention of the "
           "whole sequence")


# ---------------------------------------------------------------------------------------------
# Part 6: CLIP's contrastive loss


def check_clip_loss(fn: Callable) -> None:
    """``clip_loss(image_emb (N, D), text_emb (N, D), logit_scale) -> scalar``."""
    from course_lib.models.clip import clip_loss as reference

    n = 4
    eye = torch.eye(n)
    loss = fn(eye.clone(), eye.clone(), 100.0)
    expect(isinstance(loss, torch.Tensor) and loss.ndim == 0,
           "clip_loss must return a scalar tensor (a 0-dimensional torch tensor).")
    expect(float(loss) < 1e-3, "Perfectly matched pairs (picture i has exactly caption i's "
           f"direction, all others orthogonal) at logit_scale 100 must give a loss near 0, got "
           f"{float(loss):.4f}.")
    same = torch.ones(n, 3)
    expect(abs(float(fn(same, same.clone(), 10.0)) - math.log(n)) < 1e-4,
           f"When every embedding is the same, each row's softmax is uniform over {n} "
           f"captions, so the loss is log({n}) = {math.log(n):.4f}; got "
           f"{float(fn(same, same.clone(), 10.0)):.4f}.")
    gen = torch.Generator().manual_seed(0)
    img, txt = torch.randn(8, 16, generator=gen), torch.randn(8, 16, generator=gen)
    scaled = fn(img * 5.0, txt * 3.0, 7.0)
    expect(abs(float(scaled) - float(fn(img, txt, 7.0))) < 1e-4,
           "The loss changed when the embeddings were made longer or shorter: CLIP compares "
           "directions, so L2-normalise both (F.normalize(x, dim=-1)) before the dot products.")
    # Asymmetric case: pictures 0 and 1 both look like caption 0.
    img = torch.tensor([[1.0, 0.0], [1.0, 0.0]])
    txt = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    got, want = float(fn(img, txt, 5.0)), float(reference(img, txt, 5.0))
    if abs(got - want) > 1e-4:
        one_way = float(F.cross_entropy(5.0 * img @ txt.T, torch.arange(2)))
        other = float(F.cross_entropy(5.0 * txt @ img.T, torch.arange(2)))
        hint = ""
        if min(abs(got - one_way), abs(got - other)) < 1e-4:
            hint = (" You computed only one direction: average the picture->caption "
                    "cross-entropy (rows) and the caption->picture one (columns).")
        expect(False, f"Pictures [[1, 0], [1, 0]], captions [[1, 0], [0, 1]], logit_scale 5: "
               f"the loss is {want:.4f}, yours is {got:.4f}.{hint}")
    img, txt = torch.randn(16, 32, generator=gen), torch.randn(16, 32, generator=gen)
    for scale in (1.0, 14.3, 100.0):
        got, want = float(fn(img, txt, scale)), float(reference(img, txt, scale))
        expect(abs(got - want) < 1e-4 * max(1.0, abs(want)),
               f"On 16 random pairs at logit_scale {scale} the loss should be {want:.4f}, "
               f"yours is {got:.4f} (logit_scale multiplies the cosine similarities; it is "
               "already exponentiated).")
    img.requires_grad_(True)
    fn(img, txt, 10.0).backward()
    expect(img.grad is not None and torch.isfinite(img.grad).all(),
           "The loss must be differentiable with respect to the embeddings.")
    passed("clip_loss is the symmetric InfoNCE loss on normalised embeddings")
