"""Load the shipped text-to-image model of unit 07 and turn captions into pictures.

Three pieces work together (the ruDALL-E recipe at course size):

- ``CaptionTokenizer`` (byte-level BPE, EN + RU): caption -> ``text_len`` ids;
- ``TextImageTransformer``: text ids -> sampled image token grid (8 x 8 codes);
- ``VQGAN``: token grid -> 64 px picture.

Example::

    from course_lib.models.text_to_image import load_transformer, text_to_images
    from course_lib.models.vqgan import load_vqgan

    model, tokenizer = load_transformer()
    images = text_to_images("озеро в горах на закате", tokenizer, model, load_vqgan(),
                            n=24, top_k=128, top_p=0.99, seed=0)   # (24, 3, 64, 64) in [-1, 1]
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from course_lib.models.text_tokenizer import CaptionTokenizer
from course_lib.models.transformer import TextImageTransformer, TransformerConfig
from course_lib.models.weights_file import CHECKPOINT_DIR

CHECKPOINT_NAME = "landscapes_transformer"


def _paths(path: str | Path | None) -> tuple[Path, Path, Path]:
    path = Path(path) if path else CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.safetensors"
    path = path.with_suffix(".safetensors")
    return path, path.with_suffix(".tokenizer.json"), path.with_suffix(".json")


def save_transformer(model: TextImageTransformer, tokenizer: CaptionTokenizer,
                     path: str | Path | None, meta: dict[str, Any]) -> Path:
    """Write fp16 weights, the tokenizer JSON and a sidecar (config + ``meta``), atomically."""
    from safetensors.torch import save_file

    from course_lib.models.weights_file import guard_write, write_sidecar

    weights, tok_path, sidecar = _paths(path)
    guard_write(weights)
    weights.parent.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.half().contiguous().cpu() for k, v in model.state_dict().items()}
    tmp = weights.with_name(weights.name + ".tmp")
    save_file(tensors, str(tmp))
    os.replace(tmp, weights)
    tokenizer.save(tok_path)
    info = {"config": asdict(model.config), "tokenizer": tok_path.name,
            "text_len": tokenizer.text_len, **meta}
    write_sidecar(weights, info, sidecar)
    return weights


def load_transformer(path: str | Path | None = None, device: str | torch.device = "cpu"
                     ) -> tuple[TextImageTransformer, CaptionTokenizer]:
    """The transformer (eval mode, float32) and its tokenizer; default: the shipped ones."""
    from course_lib.models.weights_file import read_tensors

    weights, tok_path, sidecar = _paths(path)
    if not weights.exists():
        raise FileNotFoundError(f"no transformer checkpoint at {weights}; train one with "
                                "`course train transformer`")
    info = json.loads(sidecar.read_text(encoding="utf-8"))
    model = TextImageTransformer(TransformerConfig(**info["config"]))
    model.load_state_dict({k: v.float() for k, v in read_tensors(weights).items()})
    tokenizer = CaptionTokenizer.load(tok_path, info["text_len"])
    return model.to(device).eval(), tokenizer


def checkpoint_info(path: str | Path | None = None) -> dict[str, Any]:
    """The JSON sidecar of a transformer checkpoint (command, seed, date, measured quality)."""
    return json.loads(_paths(path)[2].read_text(encoding="utf-8"))


@torch.no_grad()
def text_to_images(text: str | list[str], tokenizer: CaptionTokenizer,
                   model: TextImageTransformer, vqgan, n: int = 1, temperature: float = 1.0,
                   top_k: int = 0, top_p: float = 1.0, seed: int | None = None,
                   return_tokens: bool = False):
    """``n`` pictures per caption, (N, 3, 64, 64) in [-1, 1]; token grids too if asked.

    All pictures are sampled in one batch with the KV cache. ``seed`` fixes the sampling.
    """
    texts = [text] if isinstance(text, str) else list(text)
    ids = tokenizer.encode_batch([t for t in texts for _ in range(n)])
    device = next(model.parameters()).device
    gen = torch.Generator(device=device).manual_seed(seed) if seed is not None else None
    tokens = model.generate(ids.to(device), temperature, top_k, top_p, gen)
    images = vqgan.decode_indices(tokens)
    return (images, tokens) if return_tokens else images
