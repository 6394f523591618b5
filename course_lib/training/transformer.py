"""Train the text-to-image transformer on Landscapes (``course train transformer``).

1. Tokenise images: the shipped (or given) VQ-GAN turns every 64 px training render into an
   8 x 8 grid of code ids (cached on disk, keyed by the VQ-GAN file's hash).
2. Tokenise text: a byte-level BPE is trained on every phrasing, English and Russian, of the
   training scenes' captions.
3. Train: each example is one scene with one of its eight captions picked at random (so the
   model sees EN and RU equally often), AdamW with warm-up and cosine decay, gradient
   clipping, text:image loss weights 1:7 as DALL-E.
4. Measure: held-out next-token losses on test scenes, and the attribute agreement of images
   generated from test captions (does the picture show the caption's time of day, season,
   water, mountains, snow, trees?), next to the agreement of the same images with *shuffled*
   captions (what a model that ignores the text would get).
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from course_lib.models.text_tokenizer import CaptionTokenizer
from course_lib.models.transformer import TextImageTransformer, TransformerConfig
from course_lib.training.loop import SupervisedRun, setup, to_tensor, warmup_cosine

LANGS = ("en", "ru")


@dataclass
class TransformerTrainConfig:
    """Training settings; ``None`` sizes come from the profile (``filled``)."""

    steps: int | None = None  # full 3,000, fast 20
    batch_size: int = 32
    lr: float = 2e-3  # peak AdamW learning rate
    n_train: int | None = None  # training scenes: full 10,000, fast 300
    n_test: int | None = None  # test scenes scored: full 500, fast 50
    seed: int = 0
    vocab_size: int = 1024  # asked of the BPE
    text_len: int = 32  # text tokens per caption
    vqgan: str | None = None  # VQ-GAN checkpoint (None: the shipped one)
    device: str | None = None
    threads: int | None = None
    max_seconds: float | None = None  # stop training after this long (steps done recorded)

    def filled(self) -> TransformerTrainConfig:
        """This config with the profile's sizes in place of ``None``."""
        from course_lib.config import fill_from_profile

        return fill_from_profile(self, steps=(3000, 20), n_train=(10_000, 300), n_test=(500, 50))


def scene_captions(split: str, n: int) -> tuple[list[list[str]], list[dict[str, Any]]]:
    """Per scene: all its phrasings in English then Russian; and its parameter dicts."""
    from course_lib.data.landscapes import captions, sample_scene, split_seeds

    texts, params = [], []
    for seed in split_seeds(split, n):
        p = sample_scene(int(seed))
        texts.append([c for lang in LANGS for c in captions(p, lang)])
        params.append(p.to_dict())
    return texts, params


def image_tokens(vqgan, split: str, n: int, size: int = 64, batch_size: int = 200,
                 vqgan_path: str | Path | None = None) -> torch.Tensor:
    """Code ids (n, h, w) of the first ``n`` renders of ``split``.

    With ``vqgan_path`` (the file ``vqgan`` was loaded from) the ids are cached on disk under
    the file's hash, so a retrained VQ-GAN never reuses stale tokens.
    """
    from course_lib.config import cache_dir
    from course_lib.data.landscapes.dataset import cached_split

    path = None
    if vqgan_path is not None:
        key = hashlib.sha256(Path(vqgan_path).read_bytes()).hexdigest()[:12]
        path = cache_dir() / "vq_tokens" / f"{split}_{size}px_{n}_{key}.pt"
        if path.exists():
            return torch.load(path, weights_only=True)
    images, _ = cached_split(split, size, n, progress=False)
    ids = torch.cat([vqgan.encode_indices(to_tensor(images[i:i + batch_size]))
                     for i in range(0, n, batch_size)]).to(torch.int16)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        torch.save(ids, path)
    return ids


def encode_captions(tokenizer: CaptionTokenizer, texts: list[list[str]]) -> torch.Tensor:
    """(n_scenes, phrasings, text_len) ids; every scene has the same number of phrasings."""
    flat = [t for scene in texts for t in scene]
    return tokenizer.encode_batch(flat).view(len(texts), len(texts[0]), tokenizer.text_len)


@torch.no_grad()
def heldout_losses(model: TextImageTransformer, text: torch.Tensor, image: torch.Tensor,
                   pad_id: int, batch_size: int = 250) -> dict[str, float]:
    """Text and image next-token losses (nats per token) on held-out examples.

    ``image_loss`` is the mean over examples of each example's mean loss over its tokens;
    ``sd_image_loss`` the spread of those per-example values (for tolerances on subsets).
    """
    import torch.nn.functional as F

    model.eval()
    c = model.config
    per_example, text_sum, text_count = [], 0.0, 0
    for i in range(0, len(text), batch_size):
        t, im = text[i:i + batch_size], image[i:i + batch_size]
        h = model(t, im[:, :-1])
        img_logits = model.logits(h[:, c.text_len - 1:], "image")
        per_example.append(F.cross_entropy(img_logits.transpose(1, 2), im,
                                           reduction="none").mean(1))
        txt_logits = model.logits(h[:, : c.text_len - 1], "text")
        loss = F.cross_entropy(txt_logits.transpose(1, 2), t[:, 1:], reduction="none")
        keep = t[:, 1:] != pad_id
        text_sum, text_count = text_sum + float(loss[keep].sum()), text_count + int(keep.sum())
    per_example = torch.cat(per_example)
    model.train()
    return {"text_loss": round(text_sum / max(text_count, 1), 4),
            "image_loss": round(float(per_example.mean()), 4),
            "sd_image_loss": round(float(per_example.std()), 4)}


@torch.no_grad()
def attribute_scores(model: TextImageTransformer, vqgan, tokenizer: CaptionTokenizer,
                     captions: list[str], params: list[dict[str, Any]], top_k: int = 0,
                     top_p: float = 1.0, seed: int = 0) -> dict[str, Any]:
    """Generate one image per caption; attribute agreement with its scene and with a shuffle."""
    from course_lib.metrics.landscape_attributes import attribute_agreement, predict_attributes
    from course_lib.models.segmenter import load_segmenter

    model.eval()
    gen = torch.Generator().manual_seed(seed)
    ids = model.generate(tokenizer.encode_batch(captions), top_k=top_k, top_p=top_p,
                         generator=gen)
    predicted = predict_attributes(load_segmenter(), vqgan.decode_indices(ids))
    shuffled = [params[i] for i in np.random.default_rng(seed).permutation(len(params))]
    return {"n": len(captions), "top_k": top_k, "top_p": top_p,
            "matched": {k: round(v, 4) for k, v in attribute_agreement(predicted, params).items()},
            "shuffled": {k: round(v, 4)
                         for k, v in attribute_agreement(predicted, shuffled).items()}}


def train_transformer(config: TransformerTrainConfig | None = None,
                      model_config: TransformerConfig | None = None,
                      run: str | Path | None = None, export: str | Path | None = None,
                      command: str = "", progress: bool = True) -> dict[str, Any]:
    """Tokenise, train, measure and export (weights, tokenizer, sidecar); returns the sidecar.

    ``run``: the folder of the interrupt-safe checkpoint; ``export``: the exported model
    (default: the shipped file, which only ``--export-to-package`` may replace).
    """
    from course_lib.models.text_to_image import CHECKPOINT_DIR, CHECKPOINT_NAME, save_transformer
    from course_lib.models.vqgan import load_vqgan
    from course_lib.models.vqgan.model import CHECKPOINT_NAME as VQ_NAME
    from course_lib.models.weights_file import checkpoint_path, guard_write

    cfg = (config or TransformerTrainConfig()).filled()
    steps, batch_size, n_train, n_test, seed = (cfg.steps, cfg.batch_size, cfg.n_train,
                                                cfg.n_test, cfg.seed)
    path = checkpoint_path(export, CHECKPOINT_NAME)
    guard_write(path)  # refuse a shipped file before training, not after
    dev = setup(seed, cfg.threads, cfg.device)
    vq_file = Path(cfg.vqgan) if cfg.vqgan else CHECKPOINT_DIR / f"{VQ_NAME}.safetensors"
    vqgan = load_vqgan(vq_file)
    t0 = time.time()
    train_texts, _ = scene_captions("train", n_train)
    test_texts, test_params = scene_captions("test", n_test)
    tokenizer = CaptionTokenizer.train([t for s in train_texts for t in s], cfg.vocab_size,
                                       cfg.text_len)
    train_text, test_text = encode_captions(tokenizer, train_texts), encode_captions(
        tokenizer, test_texts)
    train_img = image_tokens(vqgan, "train", n_train, vqgan_path=vq_file).long().flatten(1)
    test_img = image_tokens(vqgan, "test", n_test, vqgan_path=vq_file).long().flatten(1)
    prep_seconds = time.time() - t0

    config = model_config or TransformerConfig.course(tokenizer.vocab_size,
                                                      vqgan.config.n_codes, cfg.text_len)
    model = TextImageTransformer(config).to(dev)
    optimizer = torch.optim.AdamW(model.parameters(), cfg.lr, betas=(0.9, 0.95),
                                  weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine(steps, overlap=True))
    gen = torch.Generator().manual_seed(seed)
    settings = {k: v for k, v in asdict(cfg).items() if k != "max_seconds"}
    loop = SupervisedRun(run, steps, model, optimizer, schedule, gen,
                         state={"sums": {"loss": 0.0, "text_loss": 0.0, "image_loss": 0.0}},
                         settings={**settings, "model": asdict(config)}, progress=progress)
    s, steps_done = loop.state, loop.step
    t0 = time.time()
    for step in loop.steps():
        scenes = torch.randint(len(train_text), (batch_size,), generator=gen)
        phrasing = torch.randint(train_text.shape[1], (batch_size,), generator=gen)
        out = model.loss(train_text[scenes, phrasing].to(dev), train_img[scenes].to(dev),
                         tokenizer.pad_id)
        optimizer.zero_grad(set_to_none=True)
        out["loss"].backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        for k in s["sums"]:
            s["sums"][k] += out[k].detach().item()
        steps_done = step + 1
        if steps_done % 50 == 0 or steps_done == steps:
            count = 50 if steps_done % 50 == 0 else steps_done % 50
            loop.history.append({"step": steps_done,
                                 **{k: round(v / count, 4) for k, v in s["sums"].items()}})
            s["sums"] = dict.fromkeys(s["sums"], 0.0)
            print(loop.history[-1], flush=True)
        if cfg.max_seconds is not None and time.time() - t0 > cfg.max_seconds:
            loop.stop()
    train_seconds = time.time() - t0
    model = model.cpu().eval()

    phrasing = torch.arange(n_test) % test_text.shape[1]
    test_captions = [test_texts[i][int(phrasing[i])] for i in range(n_test)]
    quality = {"split": "test", "n": n_test,
               **heldout_losses(model, test_text[torch.arange(n_test), phrasing], test_img,
                                tokenizer.pad_id)}
    meta = {"command": command, "seed": seed, "date": time.strftime("%Y-%m-%d", time.gmtime()),
            "text_len": cfg.text_len, "vqgan": vq_file.name,
            "train": {"steps": steps, "steps_done": steps_done, "batch_size": batch_size,
                      "lr": cfg.lr, "n_train": n_train, "vocab_size_asked": cfg.vocab_size,
                      "threads": torch.get_num_threads()},
            "prep_seconds": round(prep_seconds, 1), "train_seconds": round(train_seconds, 1),
            "history_tail": loop.history[-4:]}
    save_transformer(model, tokenizer, path, {**meta, "quality": quality})
    from course_lib.models.text_to_image import load_transformer

    model, tokenizer = load_transformer(path)
    quality.update(heldout_losses(model, test_text[torch.arange(n_test), phrasing], test_img,
                                  tokenizer.pad_id))
    quality["attributes"] = attribute_scores(model, vqgan, tokenizer, test_captions,
                                             test_params, seed=seed)
    meta = {**meta, "quality": quality, "config": asdict(config)}
    save_transformer(model, tokenizer, path, meta)
    return {**meta, "checkpoint": str(path)}
