"""Unit 07 pipeline: do generated pictures show what their captions say, and how fast is it?

Caption agreement. For each of ``--captions`` test scenes, take its fullest caption (variant
3: mountains/snow, water, trees, season, time of day), generate ``--images`` pictures with the
shipped transformer + VQ-GAN, and read their attributes back with the segmenter
(``course_lib.metrics.landscape_attributes``). Figures, each the mean over the six attributes
(time of day, season, water, mountains, snow, trees) and the share matching all six:

- ``generated``: every generated picture against its own caption's scene;
- ``clip top-1`` / ``clip top-4``: only the pictures the tiny CLIP ranks best for the caption;
- ``shuffled``: the same generated pictures against another caption's scene (a derangement
  of the captions): what agreement by chance looks like on this data;
- ``renders``: the real renders against their own scene (the attribute reader's ceiling);
- ``vq-gan recon``: the renders passed through the VQ-GAN (encode, decode): the ceiling for
  anything the transformer can draw with these codes.

Timing. "24 images + CLIP re-rank + x4 SR of all 24" for one prompt, median of ``--runs``
runs after a warm-up, with ``--threads`` torch threads; the load average is printed with it.

    OMP_NUM_THREADS=2 python benchmarks/pipeline_benchmark.py --captions 48 --images 24 --threads 2
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np
import torch


def agreement_table(args: argparse.Namespace) -> dict[str, dict[str, float]]:
    from course_lib.data.landscapes import caption, sample_scene
    from course_lib.data.landscapes.dataset import split_seeds
    from course_lib.metrics.landscape_attributes import attribute_agreement, predict_attributes
    from course_lib.models.clip import load_clip
    from course_lib.models.segmenter import load_segmenter
    from course_lib.models.text_to_image import load_transformer
    from course_lib.models.vqgan import load_vqgan
    from course_lib.pipelines import cherry_pick_by_clip, generate_images

    vqgan, clip, segmenter = load_vqgan(args.vqgan), load_clip(), load_segmenter()
    seeds = split_seeds("test", args.captions)
    scenes = [sample_scene(int(s)) for s in seeds]
    params = [p.to_dict() for p in scenes]
    table = ceilings(args.captions, params, vqgan, segmenter)
    if args.ceilings_only:
        return table
    model, tokenizer = load_transformer(args.transformer)
    texts = [caption(p, args.lang, 3) for p in scenes]
    rng = np.random.default_rng(0)
    shift = rng.permutation(len(scenes))
    while np.any(shift == np.arange(len(scenes))):  # a derangement: no caption keeps its own
        shift = rng.permutation(len(scenes))

    rows = {"generated": ([], []), "clip top-1": ([], []), "clip top-4": ([], []),
            "shuffled": ([], [])}
    started = time.perf_counter()
    for i, text in enumerate(texts):
        images, _ = generate_images(text, tokenizer, model, vqgan, top_k=args.top_k,
                                    top_p=args.top_p, images_num=args.images, seed=i)
        attrs = predict_attributes(segmenter, images)
        ranked, _ = cherry_pick_by_clip(images, text, clip)
        ranked_attrs = predict_attributes(segmenter, ranked[:4])
        rows["generated"][0].extend(attrs)
        rows["generated"][1].extend([params[i]] * len(attrs))
        rows["shuffled"][0].extend(attrs)
        rows["shuffled"][1].extend([params[shift[i]]] * len(attrs))
        rows["clip top-1"][0].append(ranked_attrs[0])
        rows["clip top-1"][1].append(params[i])
        rows["clip top-4"][0].extend(ranked_attrs)
        rows["clip top-4"][1].extend([params[i]] * len(ranked_attrs))
        if (i + 1) % 8 == 0:
            print(f"  {i + 1}/{len(texts)} captions, {time.perf_counter() - started:.0f} s",
                  flush=True)
    table = {**{name: with_mean(attribute_agreement(pred, truth))
                for name, (pred, truth) in rows.items()}, **table}
    return table


def with_mean(scores: dict[str, float]) -> dict[str, float]:
    """``scores`` with ``mean``, the mean over the six attributes (not ``all``)."""
    return {**scores, "mean": float(np.mean([v for k, v in scores.items() if k != "all"]))}


def ceilings(n: int, params: list[dict], vqgan, segmenter) -> dict[str, dict[str, float]]:
    """Agreement of the first ``n`` test renders and of their VQ-GAN reconstructions."""
    from course_lib.data.landscapes.dataset import cached_split
    from course_lib.metrics.landscape_attributes import attribute_agreement, predict_attributes
    from course_lib.training.loop import to_tensor

    images, _ = cached_split("test", 64, n, progress=False)
    real = to_tensor(images)
    recon = vqgan.decode_indices(vqgan.encode_indices(real))
    return {"renders": with_mean(attribute_agreement(predict_attributes(segmenter, real), params)),
            "vq-gan recon": with_mean(attribute_agreement(predict_attributes(segmenter, recon),
                                                          params))}


def time_pipeline(args: argparse.Namespace) -> list[float]:
    from course_lib.models.clip import load_clip
    from course_lib.models.super_resolution import load_sr
    from course_lib.models.text_to_image import load_transformer
    from course_lib.models.vqgan import load_vqgan
    from course_lib.pipelines import cherry_pick_by_clip, generate_images, super_resolution

    model, tokenizer = load_transformer(args.transformer)
    vqgan, clip, sr = load_vqgan(args.vqgan), load_clip(), load_sr()
    text = "озеро в горах на закате"
    times = []
    for run in range(args.runs + 1):
        start = time.perf_counter()
        images, _ = generate_images(text, tokenizer, model, vqgan, top_k=args.top_k,
                                    top_p=args.top_p, images_num=24, seed=run)
        ranked, _ = cherry_pick_by_clip(images, text, clip, count=24)
        big = super_resolution(ranked, sr)
        assert big.shape == (24, 3, 256, 256)
        if run:  # the first run warms up
            times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--captions", type=int, default=48)
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--lang", default="en", choices=["en", "ru"])
    parser.add_argument("--top-k", type=int, default=64)
    parser.add_argument("--top-p", type=float, default=0.99)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--vqgan", default=None, help="VQ-GAN checkpoint (default: shipped)")
    parser.add_argument("--transformer", default=None,
                        help="transformer checkpoint (default: shipped)")
    parser.add_argument("--ceilings-only", action="store_true",
                        help="only the renders' and the VQ-GAN reconstructions' agreement")
    parser.add_argument("--skip-agreement", action="store_true")
    parser.add_argument("--skip-timing", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    if not args.skip_agreement:
        table = agreement_table(args)
        print(f"caption agreement, {args.captions} test captions ({args.lang}, variant 3) x "
              f"{args.images} pictures, top_k={args.top_k}, top_p={args.top_p}:")
        keys = ["mean", "all", "time_of_day", "season", "has_water", "has_mountains",
                "has_snow", "has_trees"]
        print(f"{'':12s}" + "".join(f"{k:>14s}" for k in keys))
        for name, scores in table.items():
            print(f"{name:12s}" + "".join(f"{scores[k]:14.3f}" for k in keys))
    if not args.skip_timing:
        times = time_pipeline(args)
        print(f"24 images + CLIP re-rank + x4 SR (64 -> 256 px), {args.threads} threads: "
              f"median {statistics.median(times):.2f} s over {len(times)} runs "
              f"(min {min(times):.2f}, max {max(times):.2f}); load average "
              f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
