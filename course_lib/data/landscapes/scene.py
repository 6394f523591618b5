"""Scene parameters: everything a landscape is made of, sampled from one integer seed.

A scene has two kinds of parameters:

- **layout** (what the label map shows): horizon, mountain ranges and snow, a lake or a river,
  clouds, trees, rocks;
- **style** (what only the painting shows): time of day, season and the texture seed.

The label map depends on the layout alone, so one map can be painted in many styles
(``dataclasses.replace(scene, season="winter")``): this is what makes SPADE's multimodal
synthesis and style transfer meaningful in units 05-07.

Coordinates are fractions of the image: ``u`` runs left to right, ``v`` top to bottom, both in
[0, 1], so a scene looks the same at every resolution.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

TIMES_OF_DAY: tuple[str, ...] = ("day", "sunset", "night")
SEASONS: tuple[str, ...] = ("summer", "autumn", "winter")
WATER_KINDS: tuple[str, ...] = ("none", "lake", "river")


@dataclass(frozen=True)
class Tree:
    """A tree standing at ``(x, y)`` (its foot), ``height`` tall, conifer or deciduous."""

    x: float
    y: float
    height: float
    conifer: bool
    near_water: bool


@dataclass(frozen=True)
class Rock:
    """A rock resting at ``(x, y)``, ``width`` by ``height`` (fractions of the image)."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Cloud:
    """A cloud centred at ``(x, y)``, ``width`` by ``height``."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class SceneParams:
    """All parameters of one landscape (see the module docstring for layout versus style)."""

    seed: int
    # layout
    horizon: float
    mountain_heights: tuple[float, ...]
    snowline: float | None
    water: str
    water_shape: tuple[float, float, float, float]
    has_beach: bool
    clouds: tuple[Cloud, ...]
    trees: tuple[Tree, ...]
    rocks: tuple[Rock, ...]
    # style
    time_of_day: str
    season: str
    sun_x: float
    style_seed: int

    @property
    def has_mountains(self) -> bool:
        return len(self.mountain_heights) > 0

    @property
    def has_snow(self) -> bool:
        return self.has_mountains and self.snowline is not None

    @property
    def has_lake(self) -> bool:
        return self.water == "lake"

    @property
    def has_river(self) -> bool:
        return self.water == "river"

    @property
    def has_water(self) -> bool:
        return self.water != "none"

    @property
    def n_trees(self) -> int:
        return len(self.trees)

    @property
    def n_rocks(self) -> int:
        return len(self.rocks)

    @property
    def n_clouds(self) -> int:
        return len(self.clouds)

    @property
    def trees_near_water(self) -> int:
        return sum(t.near_water for t in self.trees)

    def with_style(self, **changes: Any) -> SceneParams:
        """Same layout, another style: ``time_of_day``, ``season``, ``style_seed``, ``sun_x``."""
        allowed = {"time_of_day", "season", "style_seed", "sun_x"}
        if set(changes) - allowed:
            raise ValueError(f"with_style changes only {sorted(allowed)}, got {sorted(changes)}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        """Flat summary for captions checks and batching (numbers, strings and booleans only)."""
        return {
            "seed": self.seed,
            "time_of_day": self.time_of_day,
            "season": self.season,
            "style_seed": self.style_seed,
            "horizon": self.horizon,
            "has_mountains": self.has_mountains,
            "n_mountain_ranges": len(self.mountain_heights),
            "has_snow": self.has_snow,
            "water": self.water,
            "has_lake": self.has_lake,
            "has_river": self.has_river,
            "has_beach": self.has_beach,
            "n_trees": self.n_trees,
            "n_conifers": sum(t.conifer for t in self.trees),
            "trees_near_water": self.trees_near_water,
            "n_rocks": self.n_rocks,
            "n_clouds": self.n_clouds,
        }

    def __post_init__(self) -> None:
        if self.time_of_day not in TIMES_OF_DAY:
            raise ValueError(f"time_of_day must be one of {TIMES_OF_DAY}, got {self.time_of_day!r}")
        if self.season not in SEASONS:
            raise ValueError(f"season must be one of {SEASONS}, got {self.season!r}")
        if self.water not in WATER_KINDS:
            raise ValueError(f"water must be one of {WATER_KINDS}, got {self.water!r}")


def water_masks(
    scene: SceneParams, u: np.ndarray, v: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Boolean (water, beach) masks at points ``(u, v)`` (arrays of the same shape).

    A lake hangs from the horizon as a half ellipse; a river winds from a thin line at the
    horizon to a wide band at the bottom (perspective). A beach is a band around the water.
    """
    hz = scene.horizon
    below = v >= hz
    if scene.water == "none":
        none = np.zeros(np.broadcast(u, v).shape, dtype=bool)
        return none, none
    a, b, c, d = scene.water_shape
    if scene.water == "lake":
        cx, half_width, depth = a, b, c
        wobble = 0.012 * np.sin(u * 37.0 + d * 6.28)
        r = ((u - cx) / half_width) ** 2 + ((v - hz) / depth) ** 2
        water = below & (r + wobble < 1.0)
        beach_r = ((u - cx) / (half_width + 0.05)) ** 2 + ((v - hz) / (depth + 0.05)) ** 2
        beach = below & ~water & (beach_r + wobble < 1.0)
    else:
        x_far, x_near, amp, phase = a, b, c, d
        t = np.clip((v - hz) / (1.0 - hz), 0.0, 1.0)
        centre = x_far + (x_near - x_far) * t + amp * t * np.sin(3.0 * np.pi * t + phase)
        half = 0.006 + 0.14 * t**1.3
        dist = np.abs(u - centre)
        water = below & (dist < half)
        beach = below & ~water & (dist < half * 1.35 + 0.01)
    if not scene.has_beach:
        beach = np.zeros_like(water)
    return water, beach


_RING = np.linspace(0.0, 2.0 * np.pi, 12, endpoint=False)
_RING_COS, _RING_SIN = np.cos(_RING), np.sin(_RING)


def _near_water(scene: SceneParams, x: np.ndarray, y: np.ndarray, radius: float) -> np.ndarray:
    """For each point ``(x[i], y[i])``: is there water within ``radius``? (a ring of 12 points)"""
    if scene.water == "none":
        return np.zeros(len(x), dtype=bool)
    u = x[:, None] + radius * _RING_COS
    v = y[:, None] + 0.5 * radius * _RING_SIN
    water, _ = water_masks(scene, u, v)
    return water.any(axis=1)


def _shore_points(scene: SceneParams, a: np.ndarray, b: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Points just outside the water (``a``, ``b`` uniform in [0, 1) pick where)."""
    hz = scene.horizon
    p0, p1, p2, p3 = scene.water_shape
    if scene.water == "lake":
        cx, half_width, depth = p0, p1, p2
        s = (2.0 * a - 1.0) * 0.95
        x = cx + half_width * s
        y = hz + depth * np.sqrt(1.0 - s**2) + 0.02 + 0.05 * b
    else:
        t = 0.15 + 0.85 * a
        centre = p0 + (p1 - p0) * t + p2 * t * np.sin(3.0 * np.pi * t + p3)
        half = 0.006 + 0.14 * t**1.3
        side = np.where(b < 0.5, -1.0, 1.0)
        x = centre + side * (half * 1.35 + 0.025 + 0.04 * np.abs(2 * b - 1))
        y = hz + (1.0 - hz) * t
    return np.clip(x, 0.02, 0.98), np.clip(y, hz + 0.01, 1.0)


def _pick(rng: np.random.Generator, options, weights):
    """One of ``options`` drawn with probabilities ``weights`` (one uniform draw, plain Python)."""
    r, total = rng.random(), 0.0
    for option, weight in zip(options, weights, strict=True):
        total += weight
        if r < total:
            return option
    return options[-1]


def sample_scene(seed: int) -> SceneParams:
    """Sample a scene from ``seed`` (deterministic: the same seed always gives the same scene)."""
    seed = int(seed)
    rng = np.random.default_rng([seed, 0x1A4D])  # layout stream
    style = np.random.default_rng([seed, 0x57E1])  # style stream (independent of the layout)

    n_ranges = _pick(rng, (0, 1, 2), (0.2, 0.4, 0.4))
    horizon = float(rng.uniform(0.55, 0.68) if n_ranges else rng.uniform(0.45, 0.6))
    heights = tuple(sorted((float(rng.uniform(0.12, 0.42)) for _ in range(n_ranges)),
                           reverse=True))
    if n_ranges and heights[0] > 0.2 and rng.random() < 0.7:
        snowline = float(rng.uniform(0.45, 0.75))
    else:
        snowline = None

    water = _pick(rng, WATER_KINDS, (0.3, 0.45, 0.25))
    if water == "lake":
        shape = (float(rng.uniform(0.25, 0.75)), float(rng.uniform(0.25, 0.7)),
                 float(rng.uniform(0.08, 0.25)), float(rng.random()))
    elif water == "river":
        shape = (float(rng.uniform(0.3, 0.7)), float(rng.uniform(0.15, 0.85)),
                 float(rng.uniform(0.0, 0.15)), float(rng.uniform(0.0, 2.0 * np.pi)))
    else:
        shape = (0.0, 0.0, 0.0, 0.0)
    has_beach = water != "none" and rng.random() < 0.4

    clouds = []
    for _ in range(_pick(rng, range(5), (0.25, 0.25, 0.2, 0.15, 0.15))):
        w = float(rng.uniform(0.15, 0.4))
        clouds.append(Cloud(x=float(rng.uniform(0.05, 0.95)),
                            y=float(rng.uniform(0.06, max(0.1, horizon - 0.3))),
                            width=w, height=float(w * rng.uniform(0.25, 0.45))))

    partial = SceneParams(
        seed=seed, horizon=horizon, mountain_heights=heights, snowline=snowline, water=water,
        water_shape=shape, has_beach=has_beach, clouds=tuple(clouds), trees=(), rocks=(),
        time_of_day="day", season="summer", sun_x=0.5, style_seed=0,
    )

    n_trees = _pick(rng, range(9), (0.18, 0.14, 0.14, 0.12, 0.1, 0.1, 0.08, 0.07, 0.07))
    conifer_share = _pick(rng, (0.0, 0.5, 1.0), (1 / 3, 1 / 3, 1 / 3))
    # Candidates are drawn in one batch and the first ones standing on land are kept
    # (vectorised rejection sampling: a fixed number of draws keeps the stream deterministic).
    cand = rng.random((6, 40))
    x = 0.02 + 0.96 * cand[0]
    y = horizon + (1.0 - horizon) * (0.08 + 0.92 * cand[1]) ** 0.8
    if water != "none":  # about half the candidates stand on the shore
        shore_x, shore_y = _shore_points(partial, cand[0], cand[4])
        on_shore = cand[5] < 0.5
        x, y = np.where(on_shore, shore_x, x), np.where(on_shore, shore_y, y)
    height = (0.06 + 0.55 * (y - horizon) / (1.0 - horizon)) * (0.7 + 0.5 * cand[2])
    on_land = ~_near_water(partial, x, y, 0.01)
    shore = _near_water(partial, x, y, 0.08)
    keep = np.flatnonzero(on_land)[:n_trees]
    trees = sorted(  # far trees first, so near ones are drawn over them
        (Tree(x=float(x[i]), y=float(y[i]), height=float(height[i]),
              conifer=bool(cand[3, i] < conifer_share), near_water=bool(shore[i]))
         for i in keep),
        key=lambda t: t.y)

    n_rocks = _pick(rng, range(4), (0.4, 0.3, 0.2, 0.1))
    cand = rng.random((4, 12))
    x = 0.05 + 0.9 * cand[0]
    y = horizon + (1.0 - horizon) * (0.15 + 0.85 * cand[1])
    width = (0.02 + 0.12 * (y - horizon) / (1.0 - horizon)) * (0.7 + 0.6 * cand[2])
    keep = np.flatnonzero(~_near_water(partial, x, y, 0.005))[:n_rocks]
    rocks = sorted((Rock(x=float(x[i]), y=float(y[i]), width=float(width[i]),
                         height=float(width[i] * (0.4 + 0.3 * cand[3, i]))) for i in keep),
                   key=lambda r: r.y)

    return dataclasses.replace(
        partial, trees=tuple(trees), rocks=tuple(rocks),
        time_of_day=_pick(style, TIMES_OF_DAY, (0.45, 0.3, 0.25)),
        season=_pick(style, SEASONS, (1 / 3, 1 / 3, 1 / 3)),
        sun_x=float(style.uniform(0.15, 0.85)),
        style_seed=int(style.integers(2**31)),
    )
