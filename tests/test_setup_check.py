"""The setup report of notebooks/00_setup.ipynb: whole paths and fixes, no native noise."""

import subprocess
import sys

import pytest
from conftest import REPO

from course_lib import setup_check
from course_lib.setup_check import Check

LONG_PATH = "/home/student/courses/generative-deep-learning/datasets/fashion-mnist/" \
            "train-images-idx3-ubyte.gz"


def test_report_shows_long_paths_and_fixes_whole(monkeypatch):
    """pandas cuts cells at 50 characters; the report must not (a student needs the path)."""
    monkeypatch.setattr(setup_check, "_package", lambda name, fix: Check(name, True, "1.0"))
    monkeypatch.setattr(setup_check, "_fashion_mnist", lambda: Check(
        "Fashion-MNIST", False, f"checksum mismatch: {LONG_PATH}",
        f"Delete {LONG_PATH} and load again."))
    report = setup_check.environment_report()
    assert isinstance(report, setup_check.Report)
    assert len(LONG_PATH) > 50
    for shown in (report._repr_html_(), repr(report), str(report)):
        assert f"Delete {LONG_PATH} and load again." in shown
        assert "..." not in shown


def test_native_stderr_is_silenced_only_inside_the_block():
    code = ("import os\nfrom course_lib.setup_check import quiet_native_stderr\n"
            "with quiet_native_stderr():\n    os.write(2, b'native noise')\n"
            "os.write(2, b'after')\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True)
    assert done.returncode == 0 and done.stderr == b"after", done.stderr


def test_checking_keras_writes_nothing_to_stderr():
    """TensorFlow's "Could not find cuda drivers" must not reach 00_setup's output."""
    pytest.importorskip("keras")
    code = "from course_lib.setup_check import _package\nprint(_package('keras', '').ok)"
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)})
    assert done.stdout.strip() == "True" and done.stderr == "", done.stderr
