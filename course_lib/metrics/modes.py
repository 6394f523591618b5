"""Mode coverage on data with known modes (the 2-D ring of ``course_lib.data.toy2d``).

A sample is *high quality* when it lies within ``3 std`` of some mode's centre (where 99.7 %
of the real data of that mode lies along each axis); a mode is *covered* when at least
``min_share`` of the samples are high-quality samples of it. The default ``min_share`` is a
fifth of a fair share, as for the class coverage of Fashion-MNIST generators.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch


@dataclass
class ModeCoverage:
    """Result of ``mode_coverage``."""

    covered: int  # modes with at least min_share of the samples nearby
    n_modes: int
    high_quality: float  # share of samples within 3 std of some centre
    per_mode: list[float]  # share of all samples near each mode

    def __str__(self) -> str:
        return (f"{self.covered}/{self.n_modes} modes covered, "
                f"{self.high_quality:.1%} high-quality samples")


def mode_coverage(samples: torch.Tensor, centres: torch.Tensor, std: float,
                  min_share: float | None = None) -> ModeCoverage:
    """Count covered modes and the share of high-quality samples (see the module docstring)."""
    samples = torch.as_tensor(samples, dtype=torch.float32).reshape(len(samples), -1)
    if len(samples) == 0:
        raise ValueError("No samples: pass at least one.")
    distance, nearest = torch.cdist(samples, centres.float()).min(dim=1)
    good = distance <= 3 * std
    per_mode = torch.bincount(nearest[good], minlength=len(centres)).float() / len(samples)
    min_share = 0.2 / len(centres) if min_share is None else min_share
    return ModeCoverage(covered=int((per_mode >= min_share).sum()), n_modes=len(centres),
                        high_quality=float(good.float().mean()), per_mode=per_mode.tolist())
