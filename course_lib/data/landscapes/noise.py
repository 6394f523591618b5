"""Resolution-independent value noise, vectorised with small matrix products.

A noise octave is a coarse grid of random values, interpolated to the pixel grid. Separable
interpolation is a matrix product, ``Wy @ grid @ Wx.T``, so an octave at 256x256 px costs two
small matmuls instead of a Python loop per pixel. The random grids do not depend on the image
size, so the same seed gives the same picture at 32 px and at 256 px, only sharper.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np


@lru_cache(maxsize=256)
def interpolation_matrix(n_pixels: int, n_cells: int, smooth: bool = True) -> np.ndarray:
    """Weights (n_pixels, n_cells + 1) that interpolate knot values at pixel centres.

    Knot ``k`` sits at ``k / n_cells`` of the image; ``smooth`` uses smoothstep weights (soft
    blobs), otherwise linear weights (sharp kinks, good for mountain ridges).
    """
    pos = (np.arange(n_pixels, dtype=np.float64) + 0.5) / n_pixels * n_cells
    left = np.minimum(np.floor(pos).astype(np.int64), n_cells - 1)
    frac = pos - left
    if smooth:
        frac = frac * frac * (3.0 - 2.0 * frac)
    weights = np.zeros((n_pixels, n_cells + 1), dtype=np.float64)
    rows = np.arange(n_pixels)
    weights[rows, left] = 1.0 - frac
    weights[rows, left + 1] = frac
    weights.setflags(write=False)
    return weights


def fractal_grids(
    rng: np.random.Generator, cells: tuple[int, int], octaves: int
) -> list[np.ndarray]:
    """Draw the random knot grids of a fractal noise field (cells double at every octave)."""
    cy, cx = cells
    return [
        rng.standard_normal((cy * 2**k + 1, cx * 2**k + 1))
        for k in range(octaves)
    ]


def fractal_noise(
    grids: list[np.ndarray], shape: tuple[int, int], persistence: float = 0.5
) -> np.ndarray:
    """Sum the octaves of ``grids`` at image ``shape`` (H, W); returns float32, std about 0.5.

    Sums in float64 and rounds once at the end, so tiny differences between BLAS kernels on
    different machines vanish in the rounding and renders stay byte-identical.
    """
    h, w = shape
    out = np.zeros((h, w), dtype=np.float64)
    amp, total = 1.0, 0.0
    for grid in grids:
        wy = interpolation_matrix(h, grid.shape[0] - 1)
        wx = interpolation_matrix(w, grid.shape[1] - 1)
        out += amp * (wy @ grid @ wx.T)
        total += amp
        amp *= persistence
    return (out * (0.7 / total)).astype(np.float32)


def ridge_profile(rng: np.random.Generator, width: int, knots: int, octaves: int) -> np.ndarray:
    """A 1-D fractal line in [0, 1] of ``width`` samples, with sharp peaks (linear interpolation).

    Draws a fixed number of random values whatever ``width`` is, so the line is the same shape
    at every resolution.
    """
    out = np.zeros(width, dtype=np.float64)
    amp = 1.0
    for k in range(octaves):
        values = rng.random(knots * 2**k + 1)
        out += amp * (interpolation_matrix(width, knots * 2**k, smooth=False) @ values)
        amp *= 0.45
    out -= out.min()
    out /= max(float(out.max()), 1e-6)
    return out.astype(np.float32)


#: Noise banks: name -> (cells across one image (y, x), octaves, bank seed).
BANKS: dict[str, tuple[tuple[int, int], int, int]] = {
    "blotch": ((4, 4), 3, 101),  # large patches of colour
    "grain": ((20, 20), 2, 102),  # fine grain, leaf clumps
    "gully": ((2, 12), 3, 103),  # vertical streaks: light and shadow on slopes
    "ripple": ((40, 4), 2, 104),  # horizontal streaks on water
    "edge": ((6, 6), 3, 105),  # wobble of outlines in the label map
}


@lru_cache(maxsize=40)
def noise_bank(name: str, size: int) -> np.ndarray:
    """A fixed (2 size, 2 size) noise field of the kind ``name`` (computed once per size).

    Scenes take crops of it at random offsets: the textures differ per scene, and the per-scene
    cost is a slice instead of new noise, which keeps 64 px renders in the hundreds per second.
    """
    (cy, cx), octaves, seed = BANKS[name]
    grids = fractal_grids(np.random.default_rng(seed), (2 * cy, 2 * cx), octaves)
    field = fractal_noise(grids, (2 * size, 2 * size))
    field.setflags(write=False)
    return field


def noise_crop(name: str, size: int, rng: np.random.Generator) -> np.ndarray:
    """A (size, size) read-only view of bank ``name`` at an offset drawn from ``rng``.

    The offset is drawn as a fraction of the image, so the same seed gives the same texture
    (only sharper) at every size.
    """
    oy, ox = (rng.random(2) * size).astype(np.int64)
    return noise_bank(name, size)[oy:oy + size, ox:ox + size]
