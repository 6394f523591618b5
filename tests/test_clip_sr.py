"""Unit 07: the tiny CLIP and the x4 super-resolution net, and their shipped checkpoints."""

import numpy as np
import pytest
import torch

from course_lib.models.clip import (
    ClipConfig,
    TinyCLIP,
    WordTokenizer,
    checkpoint_info,
    clip_loss,
    load_clip,
)
from course_lib.models.super_resolution import (
    SRConfig,
    SuperResolution,
    bicubic,
    count_parameters,
    downsample,
    load_sr,
    psnr,
)
from course_lib.models.super_resolution import checkpoint_info as sr_info


@pytest.fixture(scope="module")
def tokenizer():
    return WordTokenizer.for_landscapes(200)


def test_tokenizer_reads_both_languages(tokenizer):
    from course_lib.data.landscapes import captions, sample_scene

    for seed in range(50):
        for lang in ("en", "ru"):
            for text in captions(sample_scene(seed), lang):
                assert 1 not in tokenizer.encode(text), text  # no unknown words
    ids = tokenizer(["озеро в горах на закате", "a lake in the mountains at sunset"])
    assert ids.shape == (2, tokenizer.max_len) and ids.dtype == torch.long
    assert (ids[0, :5] > 1).all() and (ids[0, 5:] == 0).all()  # 5 words, then padding
    assert tokenizer.encode("неподалёку") == tokenizer.encode("Неподалеку")
    assert tokenizer.encode("a purple dragon") [1:] == [1, 1]  # unknown words -> <unk>
    with pytest.raises(TypeError):
        tokenizer([3])


def test_clip_shapes_and_loss(tokenizer, one_thread):
    torch.manual_seed(0)
    model = TinyCLIP(ClipConfig(), tokenizer).eval()
    with torch.no_grad():
        small = model.encode_image(torch.rand(3, 3, 64, 64) * 2 - 1)
        large = model.encode_image(torch.rand(3, 3, 256, 256) * 2 - 1)
        text = model.encode_text(["луг ночью", "a meadow at night", ""])
    assert small.shape == large.shape == text.shape == (3, ClipConfig().embed_dim)
    assert torch.allclose(text.norm(dim=-1), torch.ones(3), atol=1e-5)
    assert torch.isfinite(text).all()  # an empty caption does not give NaN
    assert model.scale().item() == pytest.approx(1 / 0.07, rel=1e-5)
    # The loss is symmetric in pictures and captions, and log(N) for identical embeddings.
    a, b = torch.randn(6, 8), torch.randn(6, 8)
    assert float(clip_loss(a, b, 10.0)) == pytest.approx(float(clip_loss(b, a, 10.0)))
    assert float(clip_loss(torch.ones(5, 4), torch.ones(5, 4), 3.0)) == pytest.approx(np.log(5))


def test_clip_learns_pairs(tokenizer, one_thread):
    """A few steps on 8 (render, caption) pairs lower the contrastive loss."""
    from course_lib.data.landscapes import caption, render, sample_scene

    torch.manual_seed(0)
    scenes = [sample_scene(s) for s in range(8)]
    images = torch.stack([torch.from_numpy(render(p, 32).image).permute(2, 0, 1).float()
                          for p in scenes]) / 127.5 - 1
    ids = tokenizer([caption(p, "en", 3) for p in scenes])
    model = TinyCLIP(ClipConfig(image_widths=(8, 16, 16, 16), text_width=32, embed_dim=32),
                     tokenizer)
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    losses = []
    for _ in range(15):
        loss = clip_loss(model.image_encoder(images), model.text_encoder(ids), model.scale())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
    assert losses[-1] < 0.25 * losses[0]


def test_edsr_parameter_count():
    # EDSR-baseline x4: head 3*64*9+64, 16 blocks of 2*(64*64*9+64), body conv 64*64*9+64,
    # two upsamplers of 64*256*9+256, tail 64*3*9+3.
    expected = 1792 + 16 * 73_856 + 36_928 + 2 * 147_712 + 1731
    assert count_parameters(SuperResolution(SRConfig())) == expected == 1_517_571


def test_sr_shapes_and_bicubic_skip(one_thread):
    torch.manual_seed(0)
    model = SuperResolution(SRConfig(width=8, n_blocks=1, bicubic_skip=True, one_shuffle=True))
    x = torch.rand(2, 3, 16, 16) * 2 - 1
    assert model(x).shape == (2, 3, 64, 64)
    for p in model.upsample.parameters():  # no learned detail: output is bicubic exactly
        torch.nn.init.zeros_(p)
    assert torch.allclose(model(x), bicubic(x), atol=1e-6)
    assert SuperResolution(SRConfig(width=8, n_blocks=1))(x).shape == (2, 3, 64, 64)
    with pytest.raises(ValueError):
        SuperResolution(SRConfig(scale=3))
    assert psnr(x, x + 0.02) == pytest.approx(10 * np.log10(4 / 0.0004), rel=1e-4)
    assert downsample(torch.ones(1, 3, 8, 8)).shape == (1, 3, 2, 2)


def test_shipped_clip_retrieves_captions(one_thread):
    """Re-measure the sidecar's retrieval accuracy on the same test scenes."""
    from course_lib.training.clip import evaluate_clip

    info = checkpoint_info()
    quality = info["quality"]
    model = load_clip()
    result = evaluate_clip(model, "test", quality["en"]["n"], quality["size"])
    for lang in ("en", "ru"):
        assert result[lang]["top1"] == pytest.approx(quality[lang]["top1"], abs=0.01)
        assert result[lang]["top5"] > 5 * result[lang]["chance_top5"]
    assert "course train clip" in info["command"] and info["seed"] == 0


def test_shipped_sr_beats_bicubic(one_thread):
    """Re-measure PSNR on the first test renders: better than bicubic, as recorded."""
    from course_lib.training.super_resolution import evaluate_sr

    info = sr_info()
    check = info["quick_check"]
    result = evaluate_sr(load_sr(), "test", check["n"], info["quality"]["hr_size"])
    assert result["psnr_sr"] == pytest.approx(check["psnr_sr"], abs=0.05)
    assert result["psnr_sr"] > result["psnr_bicubic"] + 0.5
    assert "course train sr" in info["command"] and info["seed"] == 0


def test_cli_commands_parse():
    from course_lib.cli import build_parser

    parser = build_parser()
    clip_args = parser.parse_args(["train", "clip", "--steps", "5", "--threads", "1"])
    sr_args = parser.parse_args(["train", "sr", "--n-train", "64", "--seed", "3"])
    assert clip_args.handler.__name__ == "_train_clip" and clip_args.steps == 5
    assert sr_args.handler.__name__ == "_train_sr" and sr_args.seed == 3
    assert sr_args.batch_size == 16 and clip_args.batch_size == 128
