"""Landscapes: renderer, captions, data sets and the segmenter that scores generated images."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch

from course_lib.data.landscapes import (
    CLASSES,
    NUM_CLASSES,
    LandscapesDataset,
    PairedFolderDataset,
    caption,
    captions,
    en_count,
    one_hot,
    render,
    ru_count,
    ru_plural,
    sample_scene,
    split_seeds,
)
from course_lib.data.landscapes.classes import MOUNTAIN, SNOW, TREE, WATER

# --- renderer -----------------------------------------------------------------------------


@pytest.mark.parametrize("size", [32, 64, 256])
def test_render_shapes_and_dtypes(size):
    out = render(3, size)
    assert out.image.shape == (size, size, 3) and out.image.dtype == np.uint8
    assert out.labels.shape == (size, size) and out.labels.dtype == np.uint8
    assert out.labels.max() < NUM_CLASSES


def test_same_seed_gives_identical_bytes_within_and_across_processes():
    a, b = render(1234, 64), render(1234, 64)
    assert a.image.tobytes() == b.image.tobytes() and a.labels.tobytes() == b.labels.tobytes()
    code = ("import sys, hashlib; from course_lib.data.landscapes import render; r = render(1234, "
            "64); sys.stdout.write(hashlib.sha256(r.image.tobytes() + r.labels.tobytes())"
            ".hexdigest())")
    fresh = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout
    import hashlib

    assert fresh == hashlib.sha256(a.image.tobytes() + a.labels.tobytes()).hexdigest()
    assert render(1235, 64).image.tobytes() != a.image.tobytes()


def test_sizes_outside_range_are_refused():
    with pytest.raises(ValueError, match="32..256"):
        render(0, 16)


def test_every_class_occurs_and_maps_agree_with_parameters():
    seen = np.zeros(NUM_CLASSES, bool)
    for seed in range(150):
        out = render(seed, 64)
        present = np.bincount(out.labels.ravel(), minlength=NUM_CLASSES) > 0
        seen |= present
        p = out.params
        assert present[WATER] == p.has_water, f"seed {seed}: water {p.water}"
        assert present[MOUNTAIN] == p.has_mountains, f"seed {seed}"
        assert present[SNOW] == p.has_snow, f"seed {seed}"
        assert present[TREE] == (p.n_trees > 0), f"seed {seed}"
    missing = [CLASSES[k] for k in np.flatnonzero(~seen)]
    assert not missing, f"classes never drawn in 150 scenes: {missing}"


def test_style_changes_the_picture_but_not_the_map():
    scene = sample_scene(42)
    base = render(scene, 64)
    season = "summer" if scene.season == "winter" else "winter"
    time = "day" if scene.time_of_day == "night" else "night"
    for change in ({"season": season}, {"time_of_day": time}, {"style_seed": 7}):
        other = render(scene.with_style(**change), 64)
        assert np.array_equal(other.labels, base.labels), change
        assert np.abs(other.image.astype(int) - base.image.astype(int)).mean() > 2, change
    with pytest.raises(ValueError):
        scene.with_style(water="lake")


def test_night_is_darker_than_day_and_water_mirrors_the_sky():
    scene = sample_scene(5)
    day = render(scene.with_style(time_of_day="day"), 64).image.mean()
    night = render(scene.with_style(time_of_day="night"), 64).image.mean()
    assert night < 0.6 * day
    # a lake right under the horizon reflects the sky or mountains above it, row for row
    seed = next(s for s in range(200) if sample_scene(s).has_lake)
    out = render(seed, 128)
    water_rows = np.flatnonzero((out.labels == WATER).any(axis=1))
    assert water_rows.min() >= int(out.params.horizon * 128) - 1


# --- captions -----------------------------------------------------------------------------


@pytest.mark.parametrize("n, form", [(1, 0), (2, 1), (4, 1), (5, 2), (11, 2), (12, 2), (14, 2),
                                     (20, 2), (21, 0), (22, 1), (25, 2), (101, 0), (111, 2),
                                     (0, 2)])
def test_russian_plural_rule(n, form):
    forms = ("дерево", "дерева", "деревьев")
    assert ru_plural(n, forms) == forms[form]


def test_russian_counts_agree_in_number_and_gender():
    assert ru_count(1, "tree") == "одно дерево"
    assert ru_count(2, "tree") == "два дерева"
    assert ru_count(5, "tree") == "пять деревьев"
    assert ru_count(1, "fir") == "одна ель"
    assert ru_count(2, "fir") == "две ели"
    assert ru_count(7, "fir") == "семь елей"
    assert ru_count(1, "rock") == "один камень"
    assert ru_count(3, "rock") == "три камня"
    assert ru_count(21, "cloud") == "21 облако"
    assert en_count(1, "rock") == "a rock" and en_count(3, "rock") == "three rocks"


def test_captions_state_the_scene_in_both_languages():
    time_en = {"day": "sunny day", "sunset": "sunset", "night": "night"}
    time_ru = {"day": "днём", "sunset": "на закате", "night": "ночью"}
    for seed in range(60):
        p = sample_scene(seed)
        en, ru = captions(p, "en"), captions(p, "ru")
        assert len(set(en)) == len(en) >= 3 and len(set(ru)) == len(ru) >= 3
        assert time_en[p.time_of_day] in en[0] and time_ru[p.time_of_day] in ru[0]
        assert ("lake" in en[0]) == p.has_lake and ("озеро" in ru[0]) == p.has_lake
        assert ("mountain" in en[0]) == p.has_mountains
        assert ("гор" in ru[0]) == p.has_mountains
        if p.n_trees >= 2:
            noun = "fir" if all(t.conifer for t in p.trees) else "tree"
            assert ru_count(p.n_trees, noun) in ru[0]
            assert en_count(p.n_trees, "fir tree" if noun == "fir" else "tree") in en[0]
        assert caption(p, "ru") in ru and caption(p, "en", variant=1) == en[1]


def test_caption_example_from_the_course_design():
    scene = next(p for p in map(sample_scene, range(2000))
                 if p.has_lake and p.has_mountains and p.time_of_day == "sunset"
                 and p.n_trees == 2 and p.trees_near_water == 2
                 and not any(t.conifer for t in p.trees))
    assert captions(scene, "en")[0] == "a lake in the mountains at sunset, two trees on the shore"
    assert captions(scene, "ru")[0] == "озеро в горах на закате, на берегу два дерева"


def test_captions_are_the_text_the_shipped_models_were_trained_on():
    """The shipped CLIP and transformer read these exact captions: a reworded phrase, a new
    word order or a lost article would quietly change their input. The digest is of every
    phrasing of the first 3,000 scenes in both languages, taken before the phrase tables
    were rearranged into one bilingual phrasebook."""
    digest = hashlib.sha256()
    for seed in range(3000):
        for lang in ("en", "ru"):
            for text in captions(sample_scene(seed), lang):
                digest.update(text.encode())
    assert digest.hexdigest() == (
        "ec9ce4907dba716fed536b2eaf351df32d77d52e545df159ad7a6badc3974960")


# --- data sets ----------------------------------------------------------------------------


def test_splits_use_disjoint_seeds():
    train, val, test = (set(split_seeds(s, 50_000).tolist()) for s in ("train", "val", "test"))
    assert not (train & val) and not (train & test) and not (val & test)
    with pytest.raises(ValueError):
        split_seeds("holdout", 10)


def test_dataset_items_and_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    ds = LandscapesDataset("val", size=32, n=12, progress=False)
    image, labels, text, params = ds[3]
    assert image.shape == (3, 32, 32) and image.dtype == torch.float32
    assert -1.0 <= image.min() and image.max() <= 1.0
    assert labels.shape == (32, 32) and labels.dtype == torch.int64
    assert isinstance(text, str) and params["seed"] == split_seeds("val", 12)[3]
    assert list((tmp_path / "landscapes").rglob("*.npy")), "the split was not cached"
    fresh = LandscapesDataset("val", size=32, n=12, cache=False, value_range="unit", lang="ru")
    image2, labels2, text2, _ = fresh[3]
    assert torch.allclose(image2 * 2 - 1, image, atol=1e-6) and torch.equal(labels2, labels)
    assert any(ch in text2 for ch in "абвгдежзийклмнопрстуфхцчшщыэюя")
    smaller = LandscapesDataset("val", size=32, n=5, progress=False)  # reuses the n=12 cache
    assert torch.equal(smaller[4][0], ds[4][0])
    batch = next(iter(torch.utils.data.DataLoader(ds, batch_size=4)))
    assert batch[0].shape == (4, 3, 32, 32) and len(batch[2]) == 4
    assert batch[3]["n_trees"].shape == (4,)
    onehot = one_hot(batch[1])
    assert onehot.shape == (4, NUM_CLASSES, 32, 32)
    assert torch.equal(onehot.sum(1), torch.ones(4, 32, 32))
    assert torch.equal(onehot.argmax(1), batch[1])


def _write_pair(root, name, image, label, label_mode="L"):
    from PIL import Image

    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "labels").mkdir(parents=True, exist_ok=True)
    Image.fromarray(image).save(root / "images" / f"{name}.png")
    Image.fromarray(label).convert(label_mode).save(root / "labels" / f"{name}.png")


def test_folder_dataset_reads_pairs(tmp_path):
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        _write_pair(tmp_path, name, rng.integers(0, 256, (20, 24, 3), dtype=np.uint8),
                    rng.integers(0, 4, (20, 24), dtype=np.uint8))
    (tmp_path / "captions").mkdir()
    (tmp_path / "captions" / "b.txt").write_text("a facade\n", encoding="utf-8")
    ds = PairedFolderDataset(tmp_path, num_classes=4)
    assert len(ds) == 2
    image, labels, text, params = ds[1]
    assert image.shape == (3, 20, 24) and labels.shape == (20, 24) and labels.max() < 4
    assert text == "a facade" and params == {"name": "b"}
    resized = PairedFolderDataset(tmp_path, num_classes=4, size=16, value_range="unit")[0]
    assert resized[0].shape == (3, 16, 16) and 0 <= resized[0].min()
    assert set(resized[1].unique().tolist()) <= {0, 1, 2, 3}


def test_folder_dataset_reports_bad_files(tmp_path):
    img = np.zeros((8, 8, 3), np.uint8)
    _write_pair(tmp_path / "unmatched", "a", img, np.zeros((8, 8), np.uint8))
    from PIL import Image

    Image.fromarray(img).save(tmp_path / "unmatched" / "images" / "lonely.png")
    with pytest.raises(ValueError, match="lonely.png"):
        PairedFolderDataset(tmp_path / "unmatched", num_classes=3)

    _write_pair(tmp_path / "values", "a", img, np.full((8, 8), 7, np.uint8))
    with pytest.raises(ValueError, match=r"unknown label values \[7\]"):
        PairedFolderDataset(tmp_path / "values", num_classes=3)[0]
    ok = np.full((8, 8), 255, np.uint8)  # 255 = ignored, as in Cityscapes
    _write_pair(tmp_path / "ignore", "a", img, ok)
    assert PairedFolderDataset(tmp_path / "ignore", num_classes=3)[0][1].max() == 255

    _write_pair(tmp_path / "sizes", "a", img, np.zeros((8, 9), np.uint8))
    with pytest.raises(ValueError, match="size mismatch"):
        PairedFolderDataset(tmp_path / "sizes", num_classes=3).check()

    _write_pair(tmp_path / "rgb", "a", img, np.zeros((8, 8), np.uint8), label_mode="RGB")
    with pytest.raises(ValueError, match="single-channel"):
        PairedFolderDataset(tmp_path / "rgb", num_classes=3)[0]

    with pytest.raises(FileNotFoundError, match="labels"):
        (tmp_path / "empty" / "images").mkdir(parents=True)
        PairedFolderDataset(tmp_path / "empty", num_classes=3)


# --- segmenter ----------------------------------------------------------------------------


def test_scores_from_a_known_confusion_matrix():
    from course_lib.metrics.segmentation import confusion, scores_from_confusion

    target = torch.tensor([0, 0, 0, 1, 1, 2])
    pred = torch.tensor([0, 0, 1, 1, 1, 0])
    matrix = confusion(pred, target, 4)
    scores = scores_from_confusion(matrix)
    # IoU: class 0: 2 / (3 + 3 - 2) = 0.5, class 1: 2 / 3, class 2: 0; class 3 absent
    assert scores["miou"] == pytest.approx((0.5 + 2 / 3 + 0.0) / 3)
    assert scores["pixel_accuracy"] == pytest.approx(4 / 6)
    assert np.isnan(scores["iou_per_class"][3]) and scores["present"] == [True] * 3 + [False]


def test_segmenter_shapes():
    from course_lib.models.segmenter import Segmenter, SegmenterConfig

    model = Segmenter(SegmenterConfig(width=8))
    x = torch.randn(2, 3, 32, 48)
    assert model(x).shape == (2, NUM_CLASSES, 32, 48)
    assert model.features(x).shape == (2, 8 * 8 + 8 * 4)
    with pytest.raises(ValueError, match="multiples of 8"):
        model(torch.randn(1, 3, 30, 32))


def test_shipped_segmenter_scores_held_out_renders():
    from course_lib.metrics.segmentation import segmentation_scores
    from course_lib.models.segmenter import checkpoint_info, load_segmenter

    info = checkpoint_info()
    assert info["command"].startswith("course train segmenter") and "seed" in info
    model = load_segmenter()
    outs = [render(s, 64) for s in split_seeds("test", 1000)[-120:]]
    images = torch.stack([torch.from_numpy(o.image).permute(2, 0, 1).float() / 127.5 - 1
                          for o in outs])
    labels = torch.stack([torch.from_numpy(o.labels).long() for o in outs])
    good = segmentation_scores(model, images, labels)
    assert good["miou"] >= 0.85, good
    assert good["miou"] == pytest.approx(info["quality"]["miou"], abs=0.04)
    # pictures that do not match their maps score far lower: the metric tells them apart
    bad = segmentation_scores(model, images[:60].roll(1, dims=0), labels[:60])
    assert bad["miou"] < good["miou"] - 0.3
    # FID on segmenter features: two sets of renders are closer than renders and noisy ones
    from course_lib.metrics.segmentation import landscape_fid

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # 40 samples for 192 dimensions: biased, but ordered
        same = landscape_fid(model, images[:40], images[40:80])
        noise = 0.5 * torch.randn(images[40:80].shape, generator=torch.Generator().manual_seed(0))
        worse = landscape_fid(model, images[:40], (images[40:80] + noise).clamp(-1, 1))
    assert worse > 2 * same


def test_attributes_read_back_from_pictures_follow_style_and_layout():
    from course_lib.metrics.landscape_attributes import attribute_agreement, predict_attributes
    from course_lib.models.segmenter import load_segmenter

    model = load_segmenter()
    times, seasons = ("day", "sunset", "night"), ("summer", "autumn", "winter")
    scenes = [sample_scene(s).with_style(time_of_day=times[i % 3], season=seasons[i // 3 % 3])
              for i, s in enumerate(split_seeds("test", 1000)[-27:])]
    outs = [render(p, 64) for p in scenes]
    images = torch.stack([torch.from_numpy(o.image).permute(2, 0, 1).float() / 127.5 - 1
                          for o in outs])
    scores = attribute_agreement(predict_attributes(model, images),
                                 [p.to_dict() for p in scenes])
    for name in ("time_of_day", "season", "has_water", "has_mountains", "has_trees"):
        assert scores[name] >= 0.9, scores
    # the same pictures made very dark read as night: the time comes from the pixels
    dark = attribute_agreement(predict_attributes(model, images * 0.3 - 0.7),
                               [p.with_style(time_of_day="night").to_dict() for p in scenes])
    assert dark["time_of_day"] >= 0.9, dark


def test_show_scenes_and_cli(tmp_path, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    from course_lib.cli import main
    from course_lib.data.landscapes import show_scenes

    outs = [render(s, 32) for s in range(3)]
    tensors = [torch.from_numpy(o.image).permute(2, 0, 1).float() / 127.5 - 1 for o in outs]
    fig = show_scenes(tensors, [o.labels for o in outs], ["a", "b", "c"], ncols=2)
    assert len(fig.axes) == 8 and fig.axes[0].get_title() == "a"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    assert main(["data", "landscapes", "--size", "32", "--n", "6", "--n-val", "2"]) == 0
    assert len(list((tmp_path / "landscapes").rglob("*.npy"))) == 6


def test_train_segmenter_command_writes_a_loadable_checkpoint(tmp_path, monkeypatch):
    from course_lib.cli import main
    from course_lib.models.segmenter import checkpoint_info, load_segmenter

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "seg.safetensors"
    assert main(["train", "segmenter", "--size", "32", "--n-train", "32", "--epochs", "1",
                 "--n-test", "16", "--width", "4", "--seed", "3", "--out", str(out)]) == 0
    info = checkpoint_info(out)
    assert info["seed"] == 3 and info["config"]["width"] == 4
    assert info["quality"]["n"] == 16 and 0.0 <= info["quality"]["miou"] <= 1.0
    model = load_segmenter(out)
    assert model(torch.zeros(1, 3, 32, 32)).shape == (1, NUM_CLASSES, 32, 32)
