"""Unit 05: how much the choice of look costs pix2pixHD's mIoU, class by class.

pix2pixHD's generator gets, next to the label map, one feature vector per region from its
encoder E (the region's "look"). With no photo, the paper gives each region a random k-means
centre of its class, independently of the other regions, so a night sky can sit over noon
grass. This script scores the shipped generator on the first ``--n`` test maps three ways:

- ``random centres``: the paper's sampling (what the shipped checkpoint's sidecar reports);
- ``one training scene's looks``: every region of a test map takes the look E reads from one
  random training photo (its class's region there), a random centre where that photo lacks the
  class: looks that went together once;
- ``own photo's looks``: E reads the test map's own real render (an upper bound: it peeks).

    OMP_NUM_THREADS=1 python benchmarks/pix2pixhd_looks.py --n 500
"""

from __future__ import annotations

import argparse

import torch


def scene_looks(generator, train_images: torch.Tensor, train_labels: torch.Tensor,
                labels: torch.Tensor, draw: torch.Generator) -> torch.Tensor:
    """Feature maps (N, F, H, W) for ``labels``: each map borrows one random training scene's
    region features, falling back to a random cluster centre for classes that scene lacks."""
    from course_lib.models.pix2pixhd.encoder import region_means

    with torch.no_grad():
        means, counts = region_means(generator.encoder.net(train_images), train_labels,
                                     generator.num_classes)  # (S, K, F), (S, K)
    n, size = len(labels), labels.shape[-2:]
    pick = torch.randint(0, len(train_images), (n,), generator=draw)
    fallback = generator.sample_features(labels, draw)
    flat = labels.long().reshape(n, -1)
    table = means[pick].permute(0, 2, 1)  # (N, F, K)
    borrowed = torch.gather(table, 2, flat[:, None].expand(-1, table.shape[1], -1))
    present = torch.gather(counts[pick], 1, flat) > 0
    borrowed = borrowed.reshape(n, -1, *size)
    return torch.where(present.reshape(n, 1, *size), borrowed, fallback)


def main(argv: list[str] | None = None) -> int:
    from course_lib.data.landscapes.classes import CLASSES
    from course_lib.data.landscapes.pairs import LandscapePairs
    from course_lib.metrics.segmentation import segmentation_scores
    from course_lib.models.label_maps import generate
    from course_lib.models.pix2pixhd import load_pix2pixhd
    from course_lib.models.segmenter import load_segmenter

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=500, help="first test maps to score")
    parser.add_argument("--n-train", type=int, default=1000, help="training scenes to borrow")
    parser.add_argument("--checkpoint", default=None, help="weights or run folder (shipped)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    segmenter, generator = load_segmenter(), load_pix2pixhd(args.checkpoint)
    test, train = LandscapePairs("test", args.n, 64), LandscapePairs("train", args.n_train, 64)
    photos = test.photos()
    looks = scene_looks(generator, train.photos(), train.labels, test.labels,
                        torch.Generator().manual_seed(args.seed))
    rows = {"real renders": photos,
            "random centres (paper)": generate(generator, test.labels, seed=args.seed),
            "one training scene's looks": generate(generator, test.labels, features=looks),
            "own photo's looks": generate(generator, test.labels, images=photos)}
    for name, images in rows.items():
        scores = segmentation_scores(segmenter, images, test.labels)
        per_class = " ".join(f"{c}={v:.2f}" for c, v in zip(CLASSES, scores["iou_per_class"],
                                                           strict=True))
        print(f"{name:>28}: mIoU {scores['miou']:.4f}, pixel accuracy "
              f"{scores['pixel_accuracy']:.4f}; {per_class}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
