"""The `course` command line."""

import pytest

from course_lib.cli import build_parser, main


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit) as exit_:
        build_parser().parse_args(["--help"])
    assert exit_.value.code == 0
    assert "data" in capsys.readouterr().out


def test_data_fashion_mnist_reports_missing_files(tmp_path, monkeypatch, capsys,
                                                  tiny_fashion_mnist, keras_home):
    mirror, _ = tiny_fashion_mnist
    from course_lib.data import fashion_mnist

    monkeypatch.setenv("COURSE_DATA_DIR", str(tmp_path / "nowhere"))
    monkeypatch.setattr(fashion_mnist, "MIRROR", (tmp_path / "no-mirror").as_uri() + "/")
    assert main(["data", "fashion-mnist"]) == 1
    assert "Could not download" in capsys.readouterr().err
    monkeypatch.setattr(fashion_mnist, "MIRROR", mirror.as_uri() + "/")
    assert main(["data", "fashion-mnist"]) == 0
    assert "12 training and 5 test images" in capsys.readouterr().out


def test_gan_commands_default_to_each_papers_learning_rate():
    """DCGAN's Adam 2e-4 for the GAN, the official LSGAN code's 1e-3 for LSGAN."""
    parser = build_parser()
    assert parser.parse_args(["train", "gan"]).lr == 2e-4
    assert parser.parse_args(["train", "lsgan"]).lr == 1e-3
    assert parser.parse_args(["train", "lsgan", "--lr", "2e-4"]).lr == 2e-4
