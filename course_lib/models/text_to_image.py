"""Save and load the text-to-image model of unit 07 (the shipped one by default).

Three pieces work together (the ruDALL-E recipe at course size):

- ``CaptionTokenizer`` (byte-level BPE, EN + RU): caption -> ``text_len`` ids;
- ``TextImageTransformer``: text ids -> sampled image token grid (8 x 8 codes);
- ``VQGAN``: token grid -> 64 px picture.

Example::

    from course_lib.models.text_to_image import load_transformer
    from course_lib.models.vqgan import load_vqgan
    from course_lib.pipelines import generate_images

    model, tokenizer = load_transformer()
    images, scores = generate_images("озеро в горах на закате", tokenizer, model, load_vqgan(),
                                     top_k=128, top_p=0.99, images_num=24, seed=0)
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

import torch

from course_lib.models.text_tokenizer import CaptionTokenizer
from course_lib.models.transformer import TextImageTransformer, TransformerConfig
from course_lib.models.weights_file import CHECKPOINT_DIR, guard_write, load_weights, save_weights

CHECKPOINT_NAME = "landscapes_transformer"


def _paths(path: str | Path | None) -> tuple[Path, Path, Path]:
    path = Path(path) if path else CHECKPOINT_DIR / f"{CHECKPOINT_NAME}.safetensors"
    path = path.with_suffix(".safetensors")
    return path, path.with_suffix(".tokenizer.json"), path.with_suffix(".json")


def save_transformer(model: TextImageTransformer, tokenizer: CaptionTokenizer,
                     path: str | Path | None, meta: dict[str, Any]) -> Path:
    """Write fp16 weights and a sidecar (config + ``meta``) with ``weights_file.save_weights``,
    and the tokenizer JSON beside them."""
    weights, tok_path, _ = _paths(path)
    guard_write(weights)
    info = {"config": asdict(model.config), "tokenizer": tok_path.name,
            "text_len": tokenizer.text_len, **meta}
    weights.parent.mkdir(parents=True, exist_ok=True)
    tokenizer.save(tok_path)
    return save_weights(model.state_dict(), weights, info)


def load_transformer(path: str | Path | None = None, device: str | torch.device = "cpu"
                     ) -> tuple[TextImageTransformer, CaptionTokenizer]:
    """The transformer (eval mode, float32) and its tokenizer; default: the shipped ones."""
    weights, tok_path, _ = _paths(path)
    state, info = load_weights(weights, "transformer", "course train transformer")
    model = TextImageTransformer(TransformerConfig(**info["config"]))
    model.load_state_dict(state)
    tokenizer = CaptionTokenizer.load(tok_path, info["text_len"])
    return model.to(device).eval(), tokenizer


def checkpoint_info(path: str | Path | None = None) -> dict[str, Any]:
    """The JSON sidecar of a transformer checkpoint (command, seed, date, measured quality)."""
    return json.loads(_paths(path)[2].read_text(encoding="utf-8"))
