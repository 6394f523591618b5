"""Unit 07: the ruDALL-E-shaped pipeline (generate, re-rank with CLIP, super-resolve, show)."""

import matplotlib

matplotlib.use("Agg")

import pytest  # noqa: E402
import torch  # noqa: E402

from course_lib.models.super_resolution import SRConfig, SuperResolution  # noqa: E402
from course_lib.pipelines import (  # noqa: E402
    as_images,
    cherry_pick_by_clip,
    generate_images,
    show,
    super_resolution,
    to_pil,
)


class BrightnessClip:
    """A stand-in CLIP: the brighter the picture, the better it matches any prompt."""

    def similarity(self, images, texts):
        return images.mean(dim=(1, 2, 3))[:, None].repeat(1, len(texts))


def pictures(n=6, size=8):
    levels = torch.linspace(-0.9, 0.9, n)[torch.randperm(n, generator=torch.Generator()
                                                         .manual_seed(0))]
    return levels[:, None, None, None].expand(n, 3, size, size).clone()


@pytest.mark.parametrize(("kwargs", "error", "words"), [
    ({"text": ""}, ValueError, "empty"),
    ({"text": "   "}, ValueError, "empty"),
    ({"text": 42}, TypeError, "string"),
    ({"images_num": 0}, ValueError, "at least 1"),
    ({"images_num": 2.5}, TypeError, "integer"),
    ({"top_k": -1}, ValueError, "at least 0"),
    ({"top_p": 0.0}, ValueError, "top_p"),
    ({"top_p": 1.5}, ValueError, "top_p"),
    ({"temperature": 0}, ValueError, "temperature"),
])
def test_generate_images_rejects_bad_arguments(kwargs, error, words):
    args = {"text": "озеро в горах на закате", "tokenizer": None, "model": None, "vqgan": None,
            "top_k": 1024, "top_p": 0.99, "images_num": 4, **kwargs}
    with pytest.raises(error, match=words):
        generate_images(**args)


def test_cherry_pick_orders_and_counts():
    images = pictures()
    top, scores = cherry_pick_by_clip(images, "a lake", BrightnessClip(), count=3)
    assert top.shape == (3, 3, 8, 8)
    assert torch.all(scores[:-1] >= scores[1:])
    assert torch.allclose(top.mean(dim=(1, 2, 3)), images.mean(dim=(1, 2, 3)).sort(
        descending=True).values[:3])
    everything, _ = cherry_pick_by_clip(images, "a lake", BrightnessClip())
    assert len(everything) == 6
    with pytest.raises(ValueError, match="empty"):
        cherry_pick_by_clip(images, "", BrightnessClip())
    with pytest.raises(ValueError, match="count"):
        cherry_pick_by_clip(images, "a lake", BrightnessClip(), count=0)


def test_cherry_pick_takes_rudalle_call():
    """ruDALL-E passes a processor (4th, positional) and a device: accepted, ignored."""
    images = pictures()
    top, scores = cherry_pick_by_clip(images, "a lake", BrightnessClip(), object(),
                                      device="cpu", count=2)
    expected, expected_scores = cherry_pick_by_clip(images, "a lake", BrightnessClip(), count=2)
    assert torch.equal(top, expected) and torch.equal(scores, expected_scores)


def test_pil_round_trip_and_inputs():
    images = pictures(4, 16)
    pil = to_pil(images)
    assert len(pil) == 4 and pil[0].size == (16, 16)
    back = as_images(pil)
    assert torch.allclose(back, images, atol=1 / 127.5)
    assert as_images(images[0]).shape == (1, 3, 16, 16)
    assert as_images(list(images)).shape == (4, 3, 16, 16)
    for bad, error in ((None, TypeError), ([], ValueError), (torch.zeros(2, 1, 8, 8), ValueError)):
        with pytest.raises(error):
            as_images(bad)


def test_super_resolution_and_show(one_thread):
    torch.manual_seed(0)
    sr = SuperResolution(SRConfig(width=8, n_blocks=1, bicubic_skip=True, one_shuffle=True))
    big = super_resolution(to_pil(pictures(3, 16)), sr)
    assert big.shape == (3, 3, 64, 64) and big.min() >= -1 and big.max() <= 1
    fig = show(big, 2, titles=["a", "b"])
    assert sum(ax.images != [] for ax in fig.axes) == 2
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_generate_images_with_a_tiny_model(one_thread):
    """The full chain on untrained tiny models: shapes, repeatability, scores."""
    transformer = pytest.importorskip("course_lib.models.transformer")
    CaptionTokenizer = pytest.importorskip("course_lib.models.text_tokenizer").CaptionTokenizer
    vq = pytest.importorskip("course_lib.models.vqgan")
    VQGAN, VQGANConfig = vq.VQGAN, vq.VQGANConfig

    torch.manual_seed(0)
    tokenizer = CaptionTokenizer.train(["a lake in the mountains", "озеро в горах на закате"],
                                       vocab_size=300, text_len=12)
    config = transformer.TransformerConfig.course(tokenizer.vocab_size, image_vocab=16,
                                                  text_len=12)
    config.image_side, config.n_layer, config.d_model = 2, 1, 32
    model = transformer.TextImageTransformer(config).eval()
    vqgan = VQGAN(VQGANConfig(ch=4, ch_mult=(1, 2), num_res_blocks=1, z_channels=8,
                              n_codes=16, embed_dim=4, attention=False, groups=4)).eval()
    images, scores = generate_images("озеро в горах на закате", tokenizer, model, vqgan,
                                     top_k=8, top_p=0.9, images_num=5, seed=3, batch_size=2)
    assert images.shape == (5, 3, 4, 4) and scores.shape == (5,)
    assert torch.all(scores <= 0) and torch.isfinite(scores).all()
    again, _ = generate_images("озеро в горах на закате", tokenizer, model, vqgan,
                               top_k=8, top_p=0.9, images_num=5, seed=3, batch_size=2)
    assert torch.equal(images, again)
