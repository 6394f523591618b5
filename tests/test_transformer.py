"""Text-to-image transformer (unit 07): mask, KV cache, sampling filters, tokenizer, checkpoint."""

from __future__ import annotations

import math

import pytest
import torch

from course_lib.models.text_tokenizer import CaptionTokenizer
from course_lib.models.transformer import (
    TextImageTransformer,
    TransformerConfig,
    attention_mask,
    filter_logits,
    sample_logits,
)

TINY = TransformerConfig(text_vocab=20, text_len=4, image_vocab=10, image_side=3, n_layer=2,
                         n_head=2, d_model=16)


def _tiny_model(seed: int = 0) -> TextImageTransformer:
    torch.manual_seed(seed)
    return TextImageTransformer(TINY).eval()


def test_mask_text_causal_image_sees_all_text_and_earlier_image():
    m = attention_mask(3, 2).int()
    expected = torch.tensor([
        # t0 t1 t2 i0 i1
        [1, 0, 0, 0, 0],  # t0
        [1, 1, 0, 0, 0],  # t1
        [1, 1, 1, 0, 0],  # t2: text never sees the image
        [1, 1, 1, 1, 0],  # i0: all text, itself
        [1, 1, 1, 1, 1],  # i1: all text, earlier image
    ])
    assert torch.equal(m, expected)


def test_model_obeys_the_mask():
    model = _tiny_model()
    text = torch.randint(0, 20, (1, 4))
    image = torch.randint(0, 10, (1, 9))
    h = model(text, image)
    changed_image = image.clone()
    changed_image[0, 5] = (image[0, 5] + 1) % 10
    h2 = model(text, changed_image)
    assert torch.allclose(h[:, :4 + 5], h2[:, :4 + 5], atol=1e-6)  # text, earlier image tokens
    assert not torch.allclose(h[:, 4 + 5:], h2[:, 4 + 5:])
    changed_text = text.clone()
    changed_text[0, 3] = (text[0, 3] + 1) % 20
    h3 = model(changed_text, image)
    assert torch.allclose(h[:, :3], h3[:, :3], atol=1e-6)
    assert not torch.allclose(h[:, 4:], h3[:, 4:], atol=1e-4)  # every image token reads text


def test_loss_weights_text_and_image_one_to_seven():
    model = _tiny_model()
    out = model.loss(torch.randint(1, 20, (2, 4)), torch.randint(0, 10, (2, 9)), pad_id=0)
    expected = (out["text_loss"] + 7 * out["image_loss"]) / 8
    assert out["loss"].item() == pytest.approx(expected.item(), rel=1e-6)
    assert TransformerConfig().text_loss_weight / TransformerConfig().image_loss_weight == 1 / 7


def test_kv_cache_sampling_equals_full_recomputation():
    model = _tiny_model(1)
    text = torch.randint(0, 20, (3, 4))
    for top_k, top_p in ((0, 1.0), (4, 0.9)):
        fast = model.generate(text, top_k=top_k, top_p=top_p,
                              generator=torch.Generator().manual_seed(5))
        slow = model.generate(text, top_k=top_k, top_p=top_p,
                              generator=torch.Generator().manual_seed(5), use_cache=False)
        assert fast.shape == (3, 3, 3) and torch.equal(fast, slow)


def test_top_k_and_top_p_on_hand_cases():
    inf = float("-inf")
    logits = torch.tensor([[1.0, 3.0, 2.0, 0.0]])
    assert filter_logits(logits, top_k=2).tolist() == [[inf, 3.0, 2.0, inf]]
    assert torch.equal(filter_logits(logits, top_k=0), logits)
    probs = torch.tensor([[0.15, 0.5, 0.05, 0.3]])
    logp = probs.log()
    kept = lambda p: torch.isfinite(filter_logits(logp, top_p=p))[0].tolist()  # noqa: E731
    assert kept(0.7) == [False, True, False, True]  # 0.5 + 0.3 reaches 0.7
    assert kept(0.85) == [True, True, False, True]  # 0.5 + 0.3 + 0.15 = 0.95 >= 0.85
    assert kept(0.1) == [False, True, False, False]  # the most likely token always stays
    assert kept(1.0) == [True, True, True, True]
    assert sample_logits(logits, temperature=0).tolist() == [1]
    draws = sample_logits(logits.expand(200, 4), top_k=1, generator=torch.Generator())
    assert (draws == 1).all()


def test_tokenizer_round_trip_english_and_russian():
    texts = ["a lake in the mountains at sunset, two fir trees nearby",
             "Озеро в горах на закате, рядом две ели", "горная река зимой, в небе три облака",
             "a river among meadows in autumn, clouds in the sky"]
    tok = CaptionTokenizer.train(texts * 3, vocab_size=600, text_len=64)
    for text in texts + ["озеро, ёлки и олень"]:  # words never seen still encode (bytes)
        ids = tok.encode(text)
        assert len(ids) == 64 and ids[0] == tok.bos_id
        assert tok.decode(ids) == text.lower()
    assert tok.encode_batch(texts).tolist() == [tok.encode(t) for t in texts]
    assert tok.tokens("две ели") == [" две", " ели"]  # trained words become single tokens


def _transformer_parameter_count(c: TransformerConfig) -> int:
    """Embeddings (text + image ids, text positions, rows, columns), per block 12 d^2 + 13 d
    (two LayerNorms 4d, qkv 3d^2 + 3d, projection d^2 + d, MLP 8d^2 + 5d), final LayerNorm."""
    d = c.d_model
    embeddings = (c.text_vocab + c.image_vocab + c.text_len + 2 * c.image_side) * d
    return embeddings + c.n_layer * (12 * d * d + 13 * d) + 2 * d


@pytest.mark.parametrize("sizes", [dict(n_layer=1), dict(n_layer=3, d_model=24, n_head=3),
                                   dict(text_vocab=7, text_len=5, image_side=4)])
def test_parameter_formula_matches_the_model(sizes):
    from dataclasses import replace

    config = replace(TINY, **sizes)
    model = TextImageTransformer(config)
    assert sum(p.numel() for p in model.parameters()) == _transformer_parameter_count(config)


def test_dalle_sized_parameter_count():
    # The formula, checked against built models above, at DALL-E's sizes (building 12 billion
    # parameters is out of the question on a CPU, and slow even on the meta device).
    config = TransformerConfig()
    assert _transformer_parameter_count(config) == 12_194_275_072
    assert config.text_len + config.image_len == 1280  # DALL-E's 1280-token stream


def test_shipped_checkpoint_reproduces_its_heldout_loss():
    from course_lib.models.text_to_image import checkpoint_info, load_transformer
    from course_lib.models.vqgan import load_vqgan
    from course_lib.training.transformer import (
        encode_captions,
        heldout_losses,
        image_tokens,
        scene_captions,
    )

    info = checkpoint_info()
    model, tokenizer = load_transformer()
    assert tokenizer.text_len == info["text_len"] and model.config.image_side == 8
    texts, _ = scene_captions("test", 100)
    for scene in texts:  # every caption of a held-out scene survives the tokenizer
        for caption in scene[:2] + scene[4:6]:
            assert tokenizer.decode(tokenizer.encode(caption)) == caption.lower()
    n = 100  # the first 100 of the recorded test scenes, same phrasing rule
    phrasing = torch.arange(n) % len(texts[0])
    text = encode_captions(tokenizer, texts)[torch.arange(n), phrasing]
    image = image_tokens(load_vqgan(), "test", n).long().flatten(1)
    measured = heldout_losses(model, text, image, tokenizer.pad_id)
    recorded = info["quality"]
    # Per-scene image losses spread by about sd_image_loss nats; 4 standard errors of a
    # 100-scene mean.
    tolerance = 4 * recorded["sd_image_loss"] / math.sqrt(n)
    assert abs(measured["image_loss"] - recorded["image_loss"]) <= tolerance, (measured, recorded)
