"""Paint a label map into a photo-like picture, in the scene's style (time of day, season).

The painter sees the layout (labels, trunk mask, which tree is where) and the style
parameters; everything the label map does not fix comes from here:

- the sky is a gradient that depends on the time of day, with the sun, or the moon and stars;
- every class has a base colour set by the season (green, yellow-brown or snowy ground and
  foliage), varied by texture noise from ``style_seed``;
- mountains and rocks are shaded as if lit from the sun's side, far ranges fade into the haze;
- light follows the time of day (warm at sunset, dim and blue at night);
- water mirrors what stands above the horizon, broken by ripples.

All steps are whole-array NumPy operations; there is no loop over pixels.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

import course_lib.data.landscapes.classes as classes
from course_lib.data.landscapes.layout import Layout, pixel_centres
from course_lib.data.landscapes.noise import noise_crop
from course_lib.data.landscapes.scene import SceneParams


def _rgb(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float32)


# Sky gradient (top, horizon), glow colour and the light falling on everything else.
SKY_COLORS = {
    "day": (_rgb(0.22, 0.45, 0.85), _rgb(0.68, 0.84, 0.97), _rgb(1.0, 0.95, 0.8)),
    "sunset": (_rgb(0.20, 0.20, 0.45), _rgb(1.0, 0.58, 0.30), _rgb(1.0, 0.55, 0.2)),
    "night": (_rgb(0.01, 0.02, 0.07), _rgb(0.07, 0.10, 0.22), _rgb(0.8, 0.85, 1.0)),
}
LIGHT = {"day": _rgb(1.0, 1.0, 1.0), "sunset": _rgb(0.95, 0.68, 0.52),
         "night": _rgb(0.24, 0.28, 0.45)}
CLOUD_COLORS = {"day": _rgb(0.96, 0.96, 0.98), "sunset": _rgb(0.98, 0.62, 0.55),
                "night": _rgb(0.22, 0.24, 0.32)}
GROUND = {"summer": _rgb(0.32, 0.56, 0.18), "autumn": _rgb(0.62, 0.52, 0.22),
          "winter": _rgb(0.90, 0.92, 0.96)}
MOUNTAIN_ROCK = {"summer": _rgb(0.42, 0.40, 0.37), "autumn": _rgb(0.46, 0.38, 0.30),
                 "winter": _rgb(0.55, 0.55, 0.58)}
CONIFER = {"summer": _rgb(0.08, 0.28, 0.12), "autumn": _rgb(0.10, 0.26, 0.12),
           "winter": _rgb(0.10, 0.22, 0.14)}
LEAVES = {
    "summer": [_rgb(0.16, 0.42, 0.12), _rgb(0.22, 0.48, 0.14), _rgb(0.12, 0.36, 0.10)],
    "autumn": [_rgb(0.85, 0.45, 0.08), _rgb(0.78, 0.22, 0.08), _rgb(0.88, 0.70, 0.15)],
    "winter": [_rgb(0.42, 0.36, 0.32), _rgb(0.38, 0.34, 0.32), _rgb(0.46, 0.40, 0.36)],
}
TRUNK = _rgb(0.33, 0.21, 0.11)
WATER_TINT = {"day": _rgb(0.10, 0.30, 0.50), "sunset": _rgb(0.35, 0.25, 0.40),
              "night": _rgb(0.10, 0.16, 0.35)}


@lru_cache(maxsize=4)
def _class_tables(season: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per-class base colour (9, 3), texture strength (9,) and grain strength (9,) of a season."""
    winter = season == "winter"
    palette = np.zeros((classes.NUM_CLASSES, 3), dtype=np.float32)
    palette[classes.MOUNTAIN] = MOUNTAIN_ROCK[season]
    palette[classes.SNOW] = _rgb(0.94, 0.95, 1.0)
    palette[classes.GRASS] = GROUND[season]
    palette[classes.ROCK] = _rgb(0.60, 0.60, 0.62) if winter else _rgb(0.50, 0.49, 0.47)
    palette[classes.SAND] = _rgb(0.88, 0.89, 0.92) if winter else _rgb(0.84, 0.76, 0.56)
    #                  sky  cloud mount snow water grass tree rock sand
    texture = np.array([0.0, 0.0, 0.22, 0.05, 0.0, 0.08 if winter else 0.25, 0.0, 0.2, 0.1],
                       np.float32)
    grain = np.array([0.0, 0.0, 0.12, 0.04, 0.0, 0.04 if winter else 0.14, 0.0, 0.2, 0.12],
                     np.float32)
    for table in (palette, texture, grain):
        table.setflags(write=False)
    return palette, texture, grain


#: Classes lit from the sun's side by the sideways slope of the noise: mountain, snow, rock.
RELIEF = np.array([0, 0, 1, 1, 0, 0, 0, 1, 0], np.float32)


def paint(scene: SceneParams, layout: Layout) -> np.ndarray:
    """Paint ``layout`` in ``scene``'s style; returns an (H, W, 3) uint8 RGB picture.

    Speed notes (the renderer must make hundreds of 64 px scenes per second on one core):
    class tables are gathered with ``np.take`` on an ``intp`` copy of the labels (several times
    faster than indexing with the uint8 map), arrays are updated in place, and the sky, the trees
    and the water are computed on their own pixels only. Every value is computed with the same
    float32 operations in the same order as the straightforward version, so the pictures are
    byte-identical to it.
    """
    size = layout.size
    labels = layout.labels
    idx = labels.astype(np.intp)
    present = np.bincount(idx.ravel(), minlength=classes.NUM_CLASSES) > 0
    rng = np.random.default_rng([scene.style_seed, 0x9A17])
    tex = noise_crop("blotch", size, rng)
    fine = noise_crop("grain", size, rng)
    gully = noise_crop("gully", size, rng)
    ripple = noise_crop("ripple", size, rng)

    u, v = pixel_centres(size)
    hz = scene.horizon
    time, season = scene.time_of_day, scene.season
    top, bottom, glow_color = SKY_COLORS[time]
    light = LIGHT[time]
    light_side = 1.0 if scene.sun_x > 0.5 else -1.0
    winter = season == "winter"

    # --- base colours by class and season, varied by texture --------------------------------
    palette, texture, grain = _class_tables(season)
    # light from the sun's side on mountains, snow and rocks: a sideways difference of noise
    shift = max(1, size // 40)
    slope = np.empty_like(gully)
    np.subtract(gully[:, shift:], gully[:, :-shift], out=slope[:, :-shift])
    slope[:, -shift:] = slope[:, -shift - 1:-shift]
    shade = np.take(texture, idx)
    shade *= tex
    shade += 1.0
    term = np.take(grain, idx)
    term *= fine
    shade += term
    np.take(RELIEF * (light_side * (40.0 / size * shift) * 5.0), idx, out=term)
    term *= slope
    shade += term
    img = np.take(palette, idx, axis=0)
    img *= np.clip(shade, 0.5, 1.4)[..., None]
    if present[classes.GRASS]:  # grass: darker and richer in front, paler towards the horizon
        below = int(np.count_nonzero(v < hz))  # grass lies below the horizon only
        factor = 1.1 - 0.3 * np.clip((v[below:] - hz) / (1 - hz), 0, 1)
        img[below:] *= np.where(labels[below:] == classes.GRASS, factor, 1.0)[..., None]
    if winter and present[classes.MOUNTAIN]:  # snow patches on the bare rock
        patches = (labels == classes.MOUNTAIN) & (tex + 0.4 * fine > 0.12)
        img[patches] = 0.85 * np.clip(shade[patches], 0.5, 1.2)[:, None]

    # trees: trunk brown, crowns by tree (autumn leaves differ), lit from the sun's side
    if scene.n_trees and present[classes.TREE]:
        n = scene.n_trees
        crown_rgb = np.zeros((n, 3), dtype=np.float32)
        tree_x = np.zeros(n, dtype=np.float32)
        tree_w = np.ones(n, dtype=np.float32)
        tree_top = np.zeros(n, dtype=np.float32)
        tree_h = np.ones(n, dtype=np.float32)
        for i, tree in enumerate(scene.trees):
            tree_top[i], tree_h[i] = tree.y - tree.height, tree.height
            leaves = LEAVES[season][int(tree.x * 1000) % 3]
            crown_rgb[i] = CONIFER[season] if tree.conifer else leaves
            tree_x[i], tree_w[i] = tree.x, tree.height * 0.3
        rows, cols = np.nonzero(layout.tree_id >= 0)
        tid = layout.tree_id[rows, cols]
        fine_px = fine[rows, cols]
        side = (u[0, cols] - tree_x[tid]) / tree_w[tid]
        lit = np.clip(1.0 + 0.3 * light_side * side + 0.45 * fine_px, 0.5, 1.5)
        colour = crown_rgb[tid] * lit[:, None]
        if winter:  # snow rests on the upper parts of the crowns
            height = (v[rows, 0] - tree_top[tid]) / tree_h[tid]
            snowy = fine_px + 0.6 * (0.4 - height) > 0.2
            colour[snowy] = 0.35 * colour[snowy] + 0.6 * np.clip(lit[snowy, None], 0.8, 1.1)
        trunk = layout.trunk[rows, cols]
        colour[trunk] = TRUNK * (1.0 + 0.3 * fine_px[trunk, None])
        img[rows, cols] = colour

    haze = top + (bottom - top) * 0.95
    if layout.far.any():  # the far mountain range fades into the haze of the horizon
        img[layout.far] = 0.55 * img[layout.far] + 0.45 * haze / light
    img *= light  # light by time of day

    # --- the sky: gradient, sun or moon and stars, clouds ------------------------------------
    rows = min(size, int(np.ceil(hz * size)) + 1)
    vs = v[:rows]
    t = np.clip(vs / hz, 0.0, 1.0) ** 0.9
    gradient = top + (bottom - top) * t[..., None]
    sun_y = {"day": 0.1 + 0.2 * hz * scene.sun_x, "sunset": hz - 0.07, "night": 0.14}[time]
    d2 = (u - scene.sun_x) ** 2 + (vs - sun_y) ** 2
    glow_width = {"day": 0.02, "sunset": 0.05, "night": 0.003}[time]
    glow = np.negative(d2)
    glow /= glow_width
    np.exp(glow, out=glow)
    glow = glow[..., None] * glow_color
    glow *= 0.5 if time != "night" else 0.3
    sky = gradient + glow
    disk_r = {"day": 0.035, "sunset": 0.05, "night": 0.03}[time]
    disk_color = {"day": _rgb(1.0, 1.0, 0.92), "sunset": _rgb(1.0, 0.85, 0.5),
                  "night": _rgb(0.95, 0.95, 0.88)}[time]
    sky[d2 < disk_r**2] = disk_color
    if time == "night":
        stars = rng.random((80, 3)).astype(np.float32)
        star_rows = (stars[:, 1] * hz * 0.95 * size).astype(np.int64)
        star_cols = (stars[:, 0] * size).astype(np.int64)
        sky[star_rows, star_cols] = 0.45 + 0.5 * stars[:, 2:3]
    top_labels = labels[:rows]
    np.copyto(img[:rows], sky, where=(top_labels == classes.SKY)[..., None])
    if present[classes.CLOUD]:
        cloud = top_labels == classes.CLOUD
        puff = 0.9 + 0.08 * fine[:rows][cloud] + 0.06 * tex[:rows][cloud]
        img[:rows][cloud] = CLOUD_COLORS[time] * puff[:, None] + glow[cloud] * 0.6

    # --- water: mirror what stands above the horizon, broken by ripples ---------------------
    if present[classes.WATER]:
        rows, cols = np.nonzero(labels == classes.WATER)
        hy = int(round(hz * size))
        src_rows = np.clip(2 * hy - 1 - rows, 0, size - 1)
        ripple_px = ripple[rows, cols]
        offset = np.round(ripple_px * 0.03 * size).astype(np.int64)
        reflection = img[src_rows, np.clip(cols + offset, 0, size - 1)]
        tint = WATER_TINT[time] * light
        streaks = np.clip(ripple_px, -0.3, 0.6)[:, None] * 0.12 * light
        img[rows, cols] = 0.6 * reflection + 0.4 * tint + streaks

    np.clip(img, 0.0, 1.0, out=img)
    img *= 255.0
    img += 0.5
    return img.astype(np.uint8)
