"""FashionCNN: the course's small PyTorch convolutional classifier for Fashion-MNIST.

It plays two roles:

1. Unit 02's PyTorch twin of the Keras CNN (three conv blocks, then a small dense head).
2. The *feature network* of the Fashion-MNIST metrics from unit 03 on: ``features()`` returns
   the penultimate layer (256 numbers per image), on which ``course_lib.metrics.fid`` computes
   the Frechet distance and ``course_lib.metrics.coverage`` counts the classes a generator hits.

The model takes images in [0, 1], shape (N, 1, 28, 28), and normalises them itself, so callers
never have to remember the data set's mean and standard deviation.

A trained checkpoint ships with the package (``course_lib/checkpoints/fashion_cnn.safetensors``
with a JSON sidecar that records the command, seed and test accuracy); ``load_fashion_cnn()``
loads it on the CPU in a fraction of a second.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn

from course_lib.models import weights_file
from course_lib.models.weights_file import CHECKPOINT_DIR, load_weights, save_weights

#: Pixel mean and standard deviation of the Fashion-MNIST training images (scaled to [0, 1]).
FASHION_MEAN = 0.2860
FASHION_STD = 0.3530

CHECKPOINT = CHECKPOINT_DIR / "fashion_cnn.safetensors"


@dataclass
class FashionCNNConfig:
    """Sizes of FashionCNN. The defaults are those of the shipped checkpoint."""

    channels: tuple[int, ...] = (32, 64, 128)  # one conv block per entry, each halves the size
    hidden: int = 256  # width of the penultimate layer = the feature dimension for FID
    dropout: float = 0.3
    n_classes: int = 10
    image_size: int = 28


def conv_block(c_in: int, c_out: int) -> nn.Sequential:
    """3x3 convolution (padding 1 keeps the size) -> batch norm -> ReLU -> 2x2 max-pool (halves)."""
    return nn.Sequential(
        nn.Conv2d(c_in, c_out, kernel_size=3, padding=1, bias=False),  # BN has its own bias
        nn.BatchNorm2d(c_out),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
    )


class FashionCNN(nn.Module):
    """Conv blocks 1->32->64->128 (28 -> 14 -> 7 -> 3 pixels), then Dense 256 -> Dense 10.

    ``forward`` returns logits (no softmax: ``F.cross_entropy`` applies log-softmax itself);
    ``features`` returns the 256 post-ReLU activations of the penultimate layer.
    """

    def __init__(self, config: FashionCNNConfig | None = None) -> None:
        super().__init__()
        self.config = config = config or FashionCNNConfig()
        blocks, c_in, size = [], 1, config.image_size
        for c_out in config.channels:
            blocks.append(conv_block(c_in, c_out))
            c_in, size = c_out, size // 2
        self.body = nn.Sequential(*blocks)
        self.head = nn.Sequential(
            nn.Flatten(),
            nn.Dropout(config.dropout),
            nn.Linear(c_in * size * size, config.hidden),
            nn.ReLU(inplace=True),
        )
        self.classifier = nn.Sequential(nn.Dropout(config.dropout),
                                        nn.Linear(config.hidden, config.n_classes))

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Penultimate-layer features, shape (N, hidden), of images in [0, 1], (N, 1, 28, 28)."""
        x = (images - FASHION_MEAN) / FASHION_STD
        return self.head(self.body(x))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Class logits, shape (N, n_classes)."""
        return self.classifier(self.features(images))


def save_fashion_cnn(model: FashionCNN, path: str | Path, metadata: dict,
                     half: bool = True) -> Path:
    """Write the weights (fp16 floats by default) and a sidecar, the shipped-model format of
    ``weights_file.save_weights`` (atomic writes, the sidecar records the file's sha256)."""
    state = model.state_dict()
    sidecar = {"config": asdict(model.config), "dtype": "float16" if half else "float32",
               **metadata}
    return save_weights(state, path, sidecar, keep_fp32=() if half else state.keys())


def read_sidecar(path: str | Path = CHECKPOINT) -> dict:
    """The JSON sidecar of a checkpoint: config, command, seed, date, measured accuracy."""
    return weights_file.read_sidecar(path)


def load_fashion_cnn(path: str | Path | None = None, device: str | torch.device = "cpu"
                     ) -> FashionCNN:
    """Load a FashionCNN checkpoint (the shipped one by default) in eval mode, as float32.

    Loading uses safetensors, which stores plain tensors and never runs code from the file.
    """
    path = Path(path) if path is not None else CHECKPOINT
    state, sidecar = load_weights(path, "FashionCNN", "course train fashion-cnn --out PATH")
    config = dict(sidecar.get("config", {}))
    if "channels" in config:
        config["channels"] = tuple(config["channels"])
    model = FashionCNN(FashionCNNConfig(**config))
    model.load_state_dict(state)
    return model.to(device).eval()
