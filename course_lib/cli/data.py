"""``course data ...``: find, verify, download or render the course's data sets."""

from __future__ import annotations

import argparse

from course_lib.cli.args import image_size, non_negative_int, positive_int
from course_lib.cli.common import subcommand


def _data_fashion_mnist(args: argparse.Namespace) -> int:
    """find or download Fashion-MNIST and verify its checksums

    Look for the four official Fashion-MNIST files ($COURSE_DATA_DIR, datasets/, the Keras
    cache), download what is missing, verify SHA-256 checksums and fill the Keras cache so
    keras.datasets.fashion_mnist.load_data() works offline.
    """
    from course_lib.data.fashion_mnist import load_fashion_mnist, locate

    (x_train, _), (x_test, _) = load_fashion_mnist()
    print(f"Fashion-MNIST ready in {locate(allow_download=False)}: "
          f"{len(x_train):,} training and {len(x_test):,} test images (checksums verified).")
    return 0


def add_data_commands(commands: argparse._SubParsersAction) -> argparse._SubParsersAction:
    """``course data ...``: find, verify or download data sets."""
    data = commands.add_parser("data", help="prepare a data set (download, verify, render)",
                               description="Prepare a data set so notebooks can use it offline.")
    which = data.add_subparsers(dest="dataset", required=True, metavar="DATASET")
    subcommand(which, "fashion-mnist", _data_fashion_mnist)
    return which


def _data_landscapes(args: argparse.Namespace) -> int:
    """render and cache the procedural Landscapes data set

    Render Landscapes scenes (label map, painted image; captions come from the seeds) and cache
    them under $COURSE_CACHE_DIR/landscapes. Splits use disjoint seed ranges; a larger cache is
    reused for smaller requests.
    """
    from course_lib.data.landscapes.dataset import cache_folder, cached_split

    for split, n in (("train", args.n), ("val", args.n_val), ("test", args.n_val)):
        if n:
            images, _ = cached_split(split, args.size, n, progress=True, workers=args.workers)
            print(f"Landscapes {split}: {len(images):,} scenes at {args.size}px")
    print(f"cached in {cache_folder()}")
    return 0


def add_landscapes_data(data: argparse._SubParsersAction) -> None:
    """``course data landscapes``: render and cache the procedural scenes."""
    render = subcommand(data, "landscapes", _data_landscapes,
                        "course data landscapes --size 128 --n 20000")
    render.add_argument("--size", type=image_size, default=64, help="image size in px, 32-256")
    render.add_argument("--n", type=positive_int, default=20_000,
                        help="training scenes (default 20000)")
    render.add_argument("--n-val", type=non_negative_int, default=2_000,
                        help="validation and test scenes each (default 2000; 0 skips them)")
    render.add_argument("--workers", type=positive_int, default=1, help="rendering processes")
