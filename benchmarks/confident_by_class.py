"""Where a Fashion-MNIST generator's confident share falls short: the share split by class.

For real test images and for each shipped generator's samples (2,000 each; noise seed 1234, as
``score_generator`` draws them), prints per class the share of the images FashionCNN puts in
that class that it is at least 90 % sure of (``metrics.generator_scores.confident_by_class``),
as a Markdown table.

    OMP_NUM_THREADS=1 python benchmarks/confident_by_class.py [--n 2000]
"""

from __future__ import annotations

import argparse

import pandas as pd
import torch

from course_lib.data.fashion_mnist import CLASS_NAMES, load_fashion_mnist
from course_lib.metrics.fashion_features import fashion_probabilities
from course_lib.metrics.generator_scores import confident_by_class, confident_share
from course_lib.models.fashion_gan import load_shipped_generator, sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="images per column")
    parser.add_argument("--generators", nargs="+", default=["gan_dcgan", "lsgan_dcgan"])
    args = parser.parse_args()
    torch.set_num_threads(1)
    (_, _), (x_test, _) = load_fashion_mnist()
    columns = {"real test images": fashion_probabilities(x_test[: args.n])}
    for name in args.generators:
        columns[name] = fashion_probabilities(sample(load_shipped_generator(name), args.n, 1234),
                                              value_range="symmetric")
    table = pd.DataFrame({name: confident_by_class(p) for name, p in columns.items()},
                         index=CLASS_NAMES).sort_values("real test images")
    table.loc["all (confident_share)"] = [confident_share(p) for p in columns.values()]
    print(table.round(2).to_string())


if __name__ == "__main__":
    main()
