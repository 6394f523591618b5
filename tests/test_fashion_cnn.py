"""FashionCNN: shapes, checkpoint round trip, the shipped checkpoint's accuracy, metric floors."""

import json

import numpy as np
import pytest
import torch

from course_lib.models.fashion_cnn import (
    CHECKPOINT,
    FashionCNN,
    load_fashion_cnn,
    read_sidecar,
    save_fashion_cnn,
)


def test_forward_gives_logits_and_features_give_the_penultimate_layer():
    torch.manual_seed(0)
    model = FashionCNN().eval()
    images = torch.rand(5, 1, 28, 28)
    assert model(images).shape == (5, 10)
    features = model.features(images)
    assert features.shape == (5, 256)
    assert (features >= 0).all()  # post-ReLU
    assert torch.allclose(model.classifier(features), model(images))


def test_save_and_load_round_trip(tmp_path):
    torch.manual_seed(0)
    model = FashionCNN().eval()
    images = torch.rand(8, 1, 28, 28)
    path = save_fashion_cnn(model, tmp_path / "net.safetensors", {"seed": 7}, half=False)
    loaded = load_fashion_cnn(path)
    assert torch.equal(loaded(images), model(images))
    assert read_sidecar(path)["seed"] == 7
    half = load_fashion_cnn(save_fashion_cnn(model, tmp_path / "half.safetensors", {}))
    assert torch.allclose(half(images), model(images), atol=1e-2)
    assert not list(tmp_path.glob("*.tmp"))  # atomic writes leave no temporary files


def test_missing_checkpoint_says_how_to_make_one(tmp_path):
    with pytest.raises(FileNotFoundError, match="course train fashion-cnn"):
        load_fashion_cnn(tmp_path / "nothing.safetensors")


def test_shipped_checkpoint_is_small_and_documented():
    assert CHECKPOINT.stat().st_size < 5 * 2**20
    sidecar = json.loads(CHECKPOINT.with_suffix(".json").read_text())
    assert sidecar["command"].startswith("course train fashion-cnn")
    for key in ("seed", "date", "test_accuracy", "train_seconds", "threads"):
        assert key in sidecar


@pytest.fixture(scope="module")
def fashion_test_set():
    from course_lib.data import load_fashion_mnist

    try:
        return load_fashion_mnist(allow_download=False)
    except FileNotFoundError:
        pytest.skip("Fashion-MNIST not available offline (set COURSE_DATA_DIR)")


def test_shipped_checkpoint_reaches_its_recorded_test_accuracy(fashion_test_set):
    _, (x_test, y_test) = fashion_test_set
    model = load_fashion_cnn()
    with torch.no_grad():
        x = torch.from_numpy(x_test.astype(np.float32) / 255.0).unsqueeze(1)
        predictions = torch.cat([model(x[i:i + 1000]).argmax(1) for i in range(0, 10_000, 1000)])
    accuracy = (predictions.numpy() == y_test).mean()
    assert accuracy >= 0.93
    assert accuracy == pytest.approx(read_sidecar()["test_accuracy"], abs=0.002)


def test_real_images_score_near_the_floor_and_noise_far_from_it(fashion_test_set):
    from course_lib.metrics import class_coverage, fashion_fid

    (x_train, y_train), (x_test, _) = fashion_test_set
    real = fashion_fid(x_test[:2000], x_train[:2000])
    noise = fashion_fid(np.random.default_rng(0).random((2000, 28, 28)), x_train[:2000])
    collapsed = fashion_fid(x_train[y_train == 7][:2000], x_train[:2000])  # sneakers only
    assert real < 0.05 * noise
    assert real < 0.05 * collapsed
    coverage = class_coverage(x_test[:2000])
    assert coverage.covered == 10 and coverage.kl_to_uniform < 0.05
    assert class_coverage(x_train[y_train == 7][:500]).covered == 1


def test_course_train_fashion_cnn_help_is_readable(capsys):
    from course_lib.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(["train", "fashion-cnn", "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in ("--epochs", "--seed", "--out", "--limit", "--device"):
        assert option in text


def test_course_train_fashion_cnn_writes_a_documented_checkpoint(fashion_test_set, tmp_path,
                                                                 monkeypatch):
    from course_lib.cli import main

    out = tmp_path / "tiny.safetensors"
    argv = ["train", "fashion-cnn", "--epochs", "1", "--limit", "1024", "--seed", "3",
            "--device", "cpu", "--out", str(out)]
    monkeypatch.setattr("sys.argv", ["course", *argv])
    assert main(argv) == 0
    sidecar = read_sidecar(out)
    assert sidecar["command"] == "course " + " ".join(argv)
    assert sidecar["seed"] == 3 and sidecar["train_images"] == 1024
    assert sidecar["test_accuracy"] > 0.2  # 8 steps already beat chance (0.1) clearly
    load_fashion_cnn(out)
