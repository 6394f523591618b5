"""pix2pixHD with its instance-wise feature encoder: one map, several looks (paper, section 3.4).

A generator that sees only the label map has to turn one map into one picture. Landscapes
draws each map at day, sunset or night and in summer, autumn or winter, so the same map has
many right answers. Feature matching then pulls G towards their *average*: a blurry
sky-coloured smear that follows the map only loosely (unit 05 measured it: mIoU about 0.2).

pix2pixHD's answer is the feature encoder E. During training E reads the real photo and
gives every region (here: every class present) a small feature vector, averaged over the
region; G gets these features next to the map, so it no longer has to guess the time of day
and season: it is told. E and G train together, with G's optimiser.

At test time there is no photo. As in the paper, the features of all training regions are
clustered per class (k-means, ``k = 10``), and each region of a new map gets a randomly
chosen cluster centre of its class: a random but typical look. ``fit_feature_clusters``
stores the centres in the model (they are saved with the weights).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from course_lib.models.pix2pixhd.encoder import FeatureEncoder, region_means
from course_lib.models.pix2pixhd.generator import first_block_activations


class EncodedGenerator(nn.Module):
    """G plus E: ``forward(maps, images)`` encodes the photos; ``forward(maps)`` samples looks.

    ``maps``: one-hot label maps (N, num_classes, H, W); ``images``: photos in [-1, 1].
    ``generator`` must take ``num_classes + feat_num`` input channels.
    """

    def __init__(self, generator: nn.Module, encoder: FeatureEncoder, num_classes: int,
                 clusters: int = 10):
        super().__init__()
        self.generator, self.encoder, self.num_classes = generator, encoder, num_classes
        feat_num = encoder.net[-2].out_channels
        # centres[c, j]: the j-th cluster centre of class c's features; used[c, j]: it exists.
        self.register_buffer("centres", torch.zeros(num_classes, clusters, feat_num))
        self.register_buffer("used", torch.zeros(num_classes, clusters, dtype=torch.bool))

    @property
    def feat_num(self) -> int:
        return self.centres.shape[-1]

    def front(self, maps: torch.Tensor) -> torch.Tensor:
        """G's first block (pad, 7x7 conv, instance norm, ReLU) on ``maps`` with E's features
        all zero: enough to study the one-class flaw, since on a uniform map E's features are
        one constant vector whatever the photo, and a constant is wiped out like the class."""
        features = maps.new_zeros(len(maps), self.feat_num, *maps.shape[-2:])
        return first_block_activations(self.generator, torch.cat([maps, features], 1))

    def encode(self, images: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        """E's features of ``images``, constant over each class region of ``labels`` (N, H, W)."""
        return self.encoder(images, labels)

    def sample_features(self, labels: torch.Tensor,
                        generator: torch.Generator | None = None) -> torch.Tensor:
        """Feature maps for ``labels`` (N, H, W): per image and class, a random cluster centre.

        Before ``fit_feature_clusters`` has run, every centre is zero (a neutral look).
        """
        n = len(labels)
        draws = torch.rand(n, self.num_classes, self.centres.shape[1], generator=generator)
        used = self.used.cpu()
        draws = torch.where(used | ~used.any(1, keepdim=True), draws, -1.0)  # only real centres
        choice = draws.argmax(-1).to(self.centres.device)  # (N, num_classes)
        table = self.centres[torch.arange(self.num_classes, device=choice.device), choice]
        index = labels.long().to(table.device)  # (N, H, W)
        features = table[torch.arange(n, device=table.device)[:, None, None], index]
        return features.permute(0, 3, 1, 2).contiguous()  # (N, feat_num, H, W)

    def forward(self, maps: torch.Tensor, images: torch.Tensor | None = None,
                features: torch.Tensor | None = None,
                draw: torch.Generator | None = None) -> torch.Tensor:
        """Features given, else E's features of ``images``, else looks sampled with ``draw``."""
        if features is None:
            labels = maps.argmax(1)
            features = (self.encode(images, labels) if images is not None
                        else self.sample_features(labels, draw))
        return self.generator(torch.cat([maps, features.to(maps.dtype)], 1))

    @torch.no_grad()
    def region_features(self, images: torch.Tensor, labels: torch.Tensor,
                        batch_size: int = 256) -> list[np.ndarray]:
        """For each class, the feature vectors of all its regions in ``images`` (one per image).

        E's raw output is averaged over each (image, class) region, exactly what
        ``instance_average`` paints back into the region, so the vectors are the features G sees.
        """
        device, k = self.centres.device, self.num_classes
        means, counts = [], []
        for i in range(0, len(images), batch_size):
            raw = self.encoder.net(images[i:i + batch_size].to(device)).float()  # (n, F, H, W)
            m, n = region_means(raw, labels[i:i + batch_size].to(device), k)
            means.append(m.cpu())
            counts.append(n.cpu())
        mean, count = torch.cat(means), torch.cat(counts)
        return [mean[count[:, c] > 0, c].numpy() for c in range(k)]

    @torch.no_grad()
    def fit_feature_clusters(self, images: torch.Tensor, labels: torch.Tensor,
                             seed: int = 0) -> None:
        """k-means (k = ``centres.shape[1]``) on each class's region features of ``images``."""
        from scipy.cluster.vq import kmeans2

        was_training = self.training
        self.eval()
        k = self.centres.shape[1]
        self.centres.zero_()
        self.used.zero_()
        for c, vectors in enumerate(self.region_features(images, labels)):
            if len(vectors) == 0:
                continue
            if len(vectors) <= k:
                centres = vectors
            else:
                centres, assigned = kmeans2(vectors.astype(np.float64), k, seed=seed,
                                            minit="++")
                centres = centres[np.unique(assigned)]  # drop empty clusters
            self.centres[c, :len(centres)] = torch.from_numpy(np.asarray(centres)).float()
            self.used[c, :len(centres)] = True
        self.train(was_training)
