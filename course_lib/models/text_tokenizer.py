"""A byte-level BPE tokenizer for the English and Russian Landscapes captions (unit 07).

ruDALL-E tokenises its captions with YouTokenToMe's BPE; we train the same kind of model
with Hugging Face ``tokenizers`` on our captions. Byte-level BPE starts from the 256 byte
values, so any text, Cyrillic included, can be encoded (no unknown tokens), and learns merges
of frequent neighbours until the vocabulary has ``vocab_size`` entries; with a small corpus
most caption words end up as single tokens. Text is NFKC-normalised and lowercased first.

Every caption becomes exactly ``text_len`` ids: ``<bos>`` words ``<eos>``, then ``<pad>`` up
to the length (truncated if longer), the fixed-size text block that the transformer's stream
starts with.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import torch

SPECIAL_TOKENS = ("<pad>", "<bos>", "<eos>")


class CaptionTokenizer:
    """Wraps a ``tokenizers.Tokenizer``: ``encode`` / ``encode_batch`` / ``decode``."""

    def __init__(self, tokenizer, text_len: int = 32) -> None:
        self.tokenizer, self.text_len = tokenizer, text_len
        self.pad_id, self.bos_id, self.eos_id = (tokenizer.token_to_id(t) for t in SPECIAL_TOKENS)
        tokenizer.no_padding()
        tokenizer.no_truncation()

    @classmethod
    def train(cls, texts: Iterable[str], vocab_size: int = 1024, text_len: int = 32
              ) -> CaptionTokenizer:
        """Learn byte-level BPE merges from ``texts`` (deterministic for the same texts)."""
        from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

        tok = Tokenizer(models.BPE())
        tok.normalizer = normalizers.Sequence([normalizers.NFKC(), normalizers.Lowercase()])
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=True)
        tok.decoder = decoders.ByteLevel()
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=list(SPECIAL_TOKENS),
                                      initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
                                      show_progress=False)
        tok.train_from_iterator(list(texts), trainer)
        return cls(tok, text_len)

    @property
    def vocab_size(self) -> int:
        return self.tokenizer.get_vocab_size()

    def tokens(self, text: str) -> list[str]:
        """The BPE pieces of ``text`` as readable strings (for a look at what the model sees)."""
        return [self.tokenizer.decode([i]) for i in self.tokenizer.encode(text).ids]

    def encode(self, text: str) -> list[int]:
        """``[<bos>, ids..., <eos>, <pad>...]``, exactly ``text_len`` ids."""
        ids = self.tokenizer.encode(text).ids[: self.text_len - 2]
        ids = [self.bos_id, *ids, self.eos_id]
        return ids + [self.pad_id] * (self.text_len - len(ids))

    def encode_batch(self, texts: list[str]) -> torch.Tensor:
        """(N, text_len) int64 tensor of ``encode`` rows (the texts are encoded in one call)."""
        rows = []
        for enc in self.tokenizer.encode_batch(list(texts)):
            ids = [self.bos_id, *enc.ids[: self.text_len - 2], self.eos_id]
            rows.append(ids + [self.pad_id] * (self.text_len - len(ids)))
        return torch.tensor(rows, dtype=torch.long)

    def decode(self, ids: Iterable[int]) -> str:
        """Text back from ids; special tokens are dropped. Gives the normalised (lowercase) text."""
        special = {self.pad_id, self.bos_id, self.eos_id}
        return self.tokenizer.decode([int(i) for i in ids if int(i) not in special]).strip()

    def save(self, path: str | Path) -> Path:
        """Write the tokenizer as JSON (``text_len`` is stored in the transformer's sidecar)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tokenizer.save(str(path))
        return path

    @classmethod
    def load(cls, path: str | Path, text_len: int = 32) -> CaptionTokenizer:
        from tokenizers import Tokenizer

        return cls(Tokenizer.from_file(str(path)), text_len)
