"""Draw a scene's label map (the layout), before any painting.

Objects are drawn back to front: sky and ground, clouds, mountain ranges (far, then near)
with their snow caps, water and beach, rocks, then trees from far to near. Each tree is one
"tree" label that covers both its trunk and its crown; the trunk is also kept in a separate
mask, because the painter colours it brown.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from course_lib.data.landscapes.classes import (
    CLOUD,
    GRASS,
    MOUNTAIN,
    ROCK,
    SAND,
    SKY,
    SNOW,
    TREE,
    WATER,
)
from course_lib.data.landscapes.noise import noise_crop, ridge_profile
from course_lib.data.landscapes.scene import SceneParams, water_masks

PUFF_OFFSETS = np.array([-0.7, -0.35, 0.0, 0.35, 0.7])  # puff centres, in half cloud widths
PUFF_PHASES = np.arange(5) * 12.99


@dataclass
class Layout:
    """A drawn label map and what the painter needs to know beyond the labels.

    ``labels`` is (H, W) uint8 class indices; ``trunk`` marks tree pixels that are trunk;
    ``tree_id`` is the index of the tree covering a pixel (-1 elsewhere); ``far`` marks the far
    mountain range; ``ridge`` is the top of the nearest mountain per column (fraction of height).
    """

    labels: np.ndarray
    trunk: np.ndarray
    tree_id: np.ndarray
    far: np.ndarray
    size: int


def _box(size: int, x0: float, x1: float, y0: float, y1: float) -> tuple[slice, slice] | None:
    """Pixel slices covering the box [x0, x1] x [y0, y1] (fractions), or None if empty."""
    c0, c1 = max(int(np.floor(x0 * size)), 0), min(int(np.ceil(x1 * size)), size)
    r0, r1 = max(int(np.floor(y0 * size)), 0), min(int(np.ceil(y1 * size)), size)
    if c0 >= c1 or r0 >= r1:
        return None
    return slice(r0, r1), slice(c0, c1)


@lru_cache(maxsize=8)
def pixel_centres(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Read-only ``u`` (1, size) and ``v`` (size, 1): pixel centres as fractions of the image."""
    coords = (np.arange(size, dtype=np.float32) + 0.5) / size
    coords.setflags(write=False)
    return coords[None, :], coords[:, None]


def draw_layout(scene: SceneParams, size: int) -> Layout:
    """Draw the label map of ``scene`` at ``size`` x ``size`` pixels.

    Mountains and water lie on one side of the horizon, so they are computed on those rows only.
    """
    rng = np.random.default_rng([scene.seed, 0xD4A7])  # drawing noise, fixed order of draws
    ridges = [ridge_profile(rng, size, knots=4, octaves=5) for _ in range(2)]
    edge = noise_crop("edge", size, rng)

    u, v = pixel_centres(size)
    hz = scene.horizon
    below = int(np.count_nonzero(v < hz))  # rows 0..below-1 lie above the horizon
    labels = np.full((size, size), GRASS, dtype=np.uint8)
    labels[:below] = SKY
    trunk = np.zeros((size, size), dtype=bool)
    tree_id = np.full((size, size), -1, dtype=np.int16)
    far = np.zeros((size, size), dtype=bool)

    for cloud in scene.clouds:
        half, h = cloud.width / 2, cloud.height
        box = _box(size, cloud.x - half - h, cloud.x + half + h, cloud.y - 1.3 * h,
                   cloud.y + 0.25 * h)
        if box is None:
            continue
        uu, vv = u[:, box[1]], v[box[0], :]
        # a row of round puffs, bigger in the middle, cut by a flat bottom (all puffs at once)
        jitter = (np.sin(PUFF_PHASES + cloud.x * 78.23) * 43758.5) % 1.0
        r = (h * (0.55 + 0.45 * jitter) * (1.0 - 0.45 * np.abs(PUFF_OFFSETS)))[:, None, None]
        cx = (cloud.x + PUFF_OFFSETS * half)[:, None, None]
        cy = cloud.y + 0.2 * h - 0.8 * r
        d = ((uu - cx) / (1.2 * r)) ** 2 + ((vv - cy) / r) ** 2
        inside = (d.min(axis=0) < 1.0 + 0.3 * edge[box])
        inside &= vv < cloud.y + 0.2 * h
        region = labels[box]
        region[inside & (region == SKY)] = CLOUD

    sky_rows, v_sky = labels[:below], v[:below]  # mountains stand above the horizon
    for k, height in enumerate(scene.mountain_heights):
        ridge = hz - height * (0.35 + 0.65 * ridges[k])  # ridge line per column, fractions
        mountain = v_sky >= ridge[None, :]
        sky_rows[mountain] = MOUNTAIN
        if k == 0 and len(scene.mountain_heights) > 1:
            far[:below] |= mountain
        elif k > 0:
            far[:below] &= ~mountain
        if scene.snowline is not None:
            snow_top = hz - height * scene.snowline
            jag = 0.25 * height * edge[:below] + 0.08 * height * np.sin(u * 90.0 + k)
            mountain &= v_sky < snow_top + jag
            sky_rows[mountain] = SNOW

    if scene.has_water:  # water and beach lie below the horizon
        water, beach = water_masks(scene, u, v[below:])
        ground_rows = labels[below:]
        ground_rows[beach] = SAND
        ground_rows[water] = WATER

    for rock in scene.rocks:
        box = _box(size, rock.x - rock.width / 2, rock.x + rock.width / 2,
                   rock.y - rock.height, rock.y + 0.1 * rock.height)
        if box is None:
            continue
        uu, vv = u[:, box[1]], v[box[0], :]
        r = ((uu - rock.x) / (rock.width / 2)) ** 2 + ((vv - rock.y) / rock.height) ** 2
        inside = (r < 1.0 + 0.3 * edge[box]) & (vv < rock.y + 0.1 * rock.height)
        labels[box][inside] = ROCK

    for i, tree in enumerate(scene.trees):
        h = tree.height
        trunk_w, trunk_h = 0.07 * h, (0.22 if tree.conifer else 0.38) * h
        crown_w = (0.22 if tree.conifer else 0.3) * h
        box = _box(size, tree.x - crown_w, tree.x + crown_w, tree.y - h, tree.y)
        if box is None:
            continue
        uu, vv = u[:, box[1]], v[box[0], :]
        dx = uu - tree.x
        is_trunk = (np.abs(dx) < max(trunk_w / 2, 0.5 / size)) & (vv > tree.y - trunk_h - 0.1 * h)
        if tree.conifer:
            # stacked triangles: the half width grows downwards, with a saw-tooth edge
            depth = (vv - (tree.y - h)) / (h - trunk_h * 0.8)
            saw = 0.75 + 0.25 * ((depth * 4.0) % 1.0)
            crown = (depth > 0) & (depth < 1.0) & (np.abs(dx) < crown_w * depth * saw)
        else:
            cy, ry = tree.y - h + 0.3 * h, 0.3 * h
            r = (dx / crown_w) ** 2 + ((vv - cy) / ry) ** 2
            crown = r < 1.0 + 0.35 * edge[box]
        shape = crown | is_trunk
        labels[box][shape] = TREE
        trunk[box][shape] = is_trunk[shape] & ~crown[shape]
        tree_id[box][shape] = i

    return Layout(labels=labels, trunk=trunk, tree_id=tree_id, far=far, size=size)
