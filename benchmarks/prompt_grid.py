"""Unit 07's pictures for a person to judge: the ruDALL-E pipeline on four prompts, EN and RU.

For each prompt (the seed's ruDALL-E example first, then three scenes the captions describe)
and each language: 24 samples (noise seed 0, the course's default top-k / top-p), re-ranked
by the tiny CLIP, the best 6 enlarged x4 (stored at
128 px to keep the file small). One row per (prompt, language) in
``benchmarks/figures/unit07_prompts.png``, so a retrained model's grid can be laid next to
its predecessor's::

    OMP_NUM_THREADS=2 python benchmarks/prompt_grid.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

FIGURES = Path(__file__).parent / "figures"
#: (English, Russian) prompts; the first is ruDALL-E's example, with words no caption holds.
PROMPTS = (
    ("a lake in the mountains, and a beautiful deer drinking water nearby",
     "озеро в горах, а рядом красивый олень пьёт воду"),
    ("a lake in the mountains at sunset", "озеро в горах на закате"),
    ("a river in a valley in winter, snow-capped peaks", "река в долине зимой, снежные вершины"),
    ("a meadow at night, three trees nearby", "луг ночью, неподалёку три дерева"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=24)
    parser.add_argument("--keep", type=int, default=6)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--size", type=int, default=128,
                        help="pixels per picture in the PNG (the SR output, 256, resized)")
    parser.add_argument("--out", type=Path, default=FIGURES / "unit07_prompts.png")
    parser.add_argument("--vqgan", default=None, help="VQ-GAN checkpoint (default: shipped)")
    parser.add_argument("--transformer", default=None,
                        help="transformer checkpoint (default: shipped)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    from course_lib.models.clip import load_clip
    from course_lib.models.super_resolution import load_sr
    from course_lib.models.text_to_image import load_transformer
    from course_lib.models.vqgan import load_vqgan
    from course_lib.pipelines import cherry_pick_by_clip, generate_images, super_resolution
    from course_lib.training.samples import save_grid

    transformer, tokenizer = load_transformer(args.transformer)
    vqgan, clip, sr = load_vqgan(args.vqgan), load_clip(), load_sr()
    rows = []
    for pair in PROMPTS:
        for text in pair:
            images, _ = generate_images(text, tokenizer, transformer, vqgan,
                                        images_num=args.samples, seed=0)
            best, _ = cherry_pick_by_clip(images, text, clip, count=args.keep)
            rows.append(super_resolution(best, sr))
            print(f"{text}: {len(images)} samples, best {args.keep} kept", flush=True)
    pictures = torch.nn.functional.interpolate(torch.cat(rows), size=args.size, mode="area")
    path = save_grid(pictures, args.out, nrow=args.keep)
    print(f"wrote {path}: rows = {[t for pair in PROMPTS for t in pair]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
