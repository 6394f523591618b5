"""Unit 07 model core: re-measure the shipped VQ-GAN and time text-to-image sampling.

    python benchmarks/unit07_models.py vqgan            # PSNR + codebook usage, 1,000 test renders
    python benchmarks/unit07_models.py sampling --runs 5  # 24 images from one caption, KV cache

Timings use one torch thread unless --threads says otherwise; report the load average with them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time


def vqgan(args: argparse.Namespace) -> dict:
    from course_lib.data.landscapes.dataset import cached_split
    from course_lib.models.vqgan import load_vqgan
    from course_lib.training.vqgan_run import evaluate_vqgan, to_tensor

    images = to_tensor(cached_split("test", 64, args.n, progress=False)[0])
    return {"figure": "VQ-GAN reconstruction", **evaluate_vqgan(load_vqgan(), images)}


def sampling(args: argparse.Namespace) -> dict:
    import torch

    from course_lib.models.text_to_image import load_transformer
    from course_lib.models.vqgan import load_vqgan

    model, tokenizer = load_transformer()
    vq = load_vqgan()
    text = "a lake in the mountains at sunset"
    runs = {}
    for cache in (True, False) if args.compare_cache else (True,):
        times = []
        for run in range(args.runs + 1):
            start = time.perf_counter()
            ids = tokenizer.encode_batch([text] * 24)
            grids = model.generate(ids, top_k=128, top_p=0.99, use_cache=cache,
                                   generator=torch.Generator().manual_seed(run))
            if cache:  # the whole text-to-picture path: sampled tokens, decoded
                vq.decode_indices(grids)
            if run:  # the first run warms up
                times.append(time.perf_counter() - start)
        runs["kv_cache" if cache else "no_cache"] = {
            "median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3)}
    return {"figure": "24 images x 64 tokens, top_k 128, top_p 0.99", **runs,
            "threads": torch.get_num_threads(), "load_avg": os.getloadavg()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=["vqgan", "sampling"])
    parser.add_argument("--n", type=int, default=1000, help="test renders (vqgan)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--compare-cache", action="store_true",
                        help="also time sampling without the KV cache")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    print(json.dumps((vqgan if args.what == "vqgan" else sampling)(args), indent=2))


if __name__ == "__main__":
    main()
