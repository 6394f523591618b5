"""Unit 07: the checks accept right answers and name the usual wrong ones."""

import math

import pytest
import torch
import torch.nn.functional as F

from course_lib.checks import CheckFailed
from course_lib.checks import unit07 as checks
from course_lib.models.attention_masks import text_image_mask
from course_lib.models.clip import clip_loss


def quantize(z, codebook):
    indices = torch.cdist(z, codebook).argmin(1)
    z_q = codebook[indices]
    return z + (z_q - z).detach(), indices


def filter_logits(logits, top_k=0, top_p=1.0):
    return checks._reference_filter(logits, top_k, top_p)


def test_right_answers_pass():
    checks.check_quantize(quantize)
    checks.check_attention_mask(text_image_mask)
    checks.check_filter_logits(filter_logits)
    checks.check_clip_loss(clip_loss)


def test_quantize_slips_are_named():
    with pytest.raises(CheckFailed, match="No gradient|straight-through"):
        checks.check_quantize(lambda z, e: (e[torch.cdist(z, e).argmin(1)].detach(),
                                            torch.cdist(z, e).argmin(1)))
    with pytest.raises(CheckFailed, match="largest dot product"):
        checks.check_quantize(lambda z, e: (z, (z @ e.T).argmax(1)))
    with pytest.raises(CheckFailed, match="codebook"):  # gradient leaks into the codes
        checks.check_quantize(lambda z, e: (z + (e[torch.cdist(z, e).argmin(1)] - z.detach()),
                                            torch.cdist(z, e).argmin(1)))


def test_mask_slips_are_named():
    def no_text_for_images(n_text, side, kind="full", text_padding=None):
        mask = text_image_mask(n_text, side, kind, text_padding)
        mask[n_text + 1:, 0] = False
        return mask

    def lookahead(n_text, side, kind="full", text_padding=None):
        mask = text_image_mask(n_text, side, kind, text_padding)
        mask[n_text:, n_text:] = True
        return mask

    def padding_rows_empty(n_text, side, kind="full", text_padding=None):
        mask = text_image_mask(n_text, side, kind)
        if text_padding is not None:
            mask[:, :n_text] &= ~text_padding[None, :]
        return mask

    with pytest.raises(CheckFailed, match="sees every"):
        checks.check_attention_mask(no_text_for_images)
    with pytest.raises(CheckFailed, match="look ahead"):
        checks.check_attention_mask(lookahead)
    def row_without_above(n_text, side, kind="full", text_padding=None):
        mask = text_image_mask(n_text, side, kind, text_padding)
        if kind == "row":  # the course's old row mask: only the last `side` image tokens
            i = torch.arange(side * side)
            mask[n_text + i[side:], n_text + i[:-side]] = False
        return mask

    with pytest.raises(CheckFailed, match="NaN"):
        checks.check_attention_mask(padding_rows_empty)
    with pytest.raises(CheckFailed, match="directly above"):
        checks.check_attention_mask(row_without_above)


def test_filter_slips_are_named():
    def drops_crossing(logits, top_k=0, top_p=1.0):
        out = logits.clone()
        if top_p < 1.0:
            sorted_logits, order = out.sort(dim=-1, descending=True)
            remove = sorted_logits.softmax(-1).cumsum(-1) > top_p
            remove[..., 0] = False
            out = out.masked_fill(remove.scatter(-1, order, remove), -math.inf)
        if top_k:
            out = out.masked_fill(out < out.topk(min(top_k, out.shape[-1])).values[..., -1:],
                                  -math.inf)
        return out

    def in_place(logits, top_k=0, top_p=1.0):
        if top_k and top_k < logits.shape[-1]:
            logits[logits < logits.topk(top_k).values[..., -1:]] = -math.inf
        return logits

    with pytest.raises(CheckFailed, match="crosses the threshold"):
        checks.check_filter_logits(drops_crossing)
    with pytest.raises(CheckFailed, match="in place"):
        checks.check_filter_logits(in_place)


def test_clip_loss_slips_are_named():
    def one_way(image, text, scale):
        logits = scale * F.normalize(image, dim=-1) @ F.normalize(text, dim=-1).T
        return F.cross_entropy(logits, torch.arange(len(logits)))

    def unnormalised(image, text, scale):
        logits = scale * image @ text.T
        target = torch.arange(len(logits))
        return (F.cross_entropy(logits, target) + F.cross_entropy(logits.T, target)) / 2

    with pytest.raises(CheckFailed, match="one direction"):
        checks.check_clip_loss(one_way)
    with pytest.raises(CheckFailed, match="normalise"):
        checks.check_clip_loss(unnormalised)


def test_unsorted_nucleus_is_named_by_the_hand_cases():
    """Top-p over the tokens in the order given: right on sorted inputs only."""
    def unsorted_nucleus(logits, top_k=0, top_p=1.0):
        out = checks._reference_filter(logits, top_k, 1.0)
        if top_p < 1.0:
            probs = out.softmax(dim=-1)
            out = out.masked_fill(probs.cumsum(dim=-1) - probs >= top_p, -math.inf)
        return out

    with pytest.raises(CheckFailed, match=r"\[0\.15, 0\.5, 0\.05, 0\.3\].*sort"):
        checks.check_filter_logits(unsorted_nucleus)


def test_mask_reference_by_hand():
    mask = text_image_mask(2, 2, "full", torch.tensor([False, True]))
    want = torch.tensor([
        [1, 0, 0, 0, 0, 0],
        [1, 1, 0, 0, 0, 0],  # padding may look at real text; nobody else looks at it
        [1, 0, 1, 0, 0, 0],
        [1, 0, 1, 1, 0, 0],
        [1, 0, 1, 1, 1, 0],
        [1, 0, 1, 1, 1, 1],
    ], dtype=torch.bool)
    assert torch.equal(mask, want)
    row = text_image_mask(0, 3, "row")
    # token 4 (row 1, column 1) reaches back one row: 1 (directly above) to 4 (itself)
    assert row[4].tolist() == [False, True, True, True, True, False, False, False, False]
    assert row[8].nonzero().flatten().tolist() == [5, 6, 7, 8]
    column = text_image_mask(0, 3, "column")
    assert column[7].nonzero().flatten().tolist() == [1, 4, 7]


def test_references_agree_with_the_transformer():
    """The checks' filter and the lecture's masks are the ones the shipped transformer uses."""
    from course_lib.models import transformer

    gen = torch.Generator().manual_seed(1)
    logits = torch.randn(4, 512, generator=gen) * 2
    for top_k, top_p in ((0, 1.0), (64, 0.99), (128, 0.995), (8, 0.7), (0, 0.5)):
        ours = torch.isfinite(checks._reference_filter(logits, top_k, top_p))
        theirs = torch.isfinite(transformer.filter_logits(logits, top_k, top_p))
        assert torch.equal(ours, theirs)
    assert torch.equal(text_image_mask(32, 8, "full"), transformer.attention_mask(32, 64))
