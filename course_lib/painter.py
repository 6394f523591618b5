"""A small GauGAN: paint a Landscapes label map with class brushes, watch SPADE paint the photo.

The interactive part is plain ipywidgets (a grid of buttons is the canvas, so it works in
JupyterLab, Jupyter Notebook and Colab without extra packages). Everything the widgets do is
an ordinary function of NumPy arrays, testable without a browser:

- :func:`blank_map` starts a canvas (sky above a horizon, grass below);
- :func:`paint_cell` paints one brush stroke (a square of grid cells) with a class;
- :func:`cell_classes` gives the class shown on each grid cell (the button colours);
- :func:`generate_picture` runs the generator on the map with a given z;
- :class:`Painter` keeps the state (map, class, brush size, z) and redraws after every click;
  ``Painter.widget()`` builds the ipywidgets interface, ``Painter.static_figure()`` draws the
  same content with matplotlib for places with no widget frontend (nbval, a PDF export, a
  static notebook viewer): :func:`show_painter` shows both.
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import torch

from course_lib.data.landscapes.classes import CLASS_COLORS, CLASSES, GRASS, SKY

GRID = 16  # canvas cells per side: a 64 px map has 4x4-pixel cells


def blank_map(size: int = 64, horizon: float = 0.55) -> np.ndarray:
    """A (size, size) uint8 map: sky above ``horizon`` (a fraction of the height), grass below."""
    labels = np.full((size, size), GRASS, dtype=np.uint8)
    labels[: int(round(horizon * size))] = SKY
    return labels


def paint_cell(labels: np.ndarray, row: int, col: int, cls: int, brush: int = 1,
               grid: int = GRID) -> np.ndarray:
    """A copy of ``labels`` with a ``brush`` x ``brush``-cell square of class ``cls`` painted
    around grid cell (``row``, ``col``) (clipped at the borders)."""
    if not 0 <= cls < len(CLASSES):
        raise ValueError(f"class must lie in 0..{len(CLASSES) - 1}, got {cls}")
    size = labels.shape[0]
    if size % grid:
        raise ValueError(f"the map size {size} is not a multiple of the grid {grid}")
    cell = size // grid
    half = (brush - 1) // 2
    r0, c0 = max(row - half, 0), max(col - half, 0)
    r1, c1 = min(row - half + brush, grid), min(col - half + brush, grid)
    out = labels.copy()
    out[r0 * cell: r1 * cell, c0 * cell: c1 * cell] = cls
    return out


def cell_classes(labels: np.ndarray, grid: int = GRID) -> np.ndarray:
    """(grid, grid) array: the most frequent class inside each cell (what its button shows)."""
    size = labels.shape[0]
    cell = size // grid
    blocks = labels.reshape(grid, cell, grid, cell).transpose(0, 2, 1, 3).reshape(grid, grid, -1)
    counts = np.apply_along_axis(np.bincount, 2, blocks, minlength=len(CLASSES))
    return counts.argmax(axis=2)


def hex_color(cls: int) -> str:
    """The plot colour of a class as ``#rrggbb`` (for button backgrounds)."""
    r, g, b = (int(v) for v in CLASS_COLORS[cls])
    return f"#{r:02x}{g:02x}{b:02x}"


@torch.no_grad()
def generate_picture(model: torch.nn.Module, labels: np.ndarray, z: torch.Tensor) -> np.ndarray:
    """The generator's picture (H, W, 3) uint8 for one label map and one z (1, z_dim)."""
    from course_lib.models.label_maps import generate

    images = generate(model, torch.as_tensor(labels[None]).long(), z=z)
    return ((images[0].permute(1, 2, 0).numpy() + 1.0) * 127.5).clip(0, 255).astype(np.uint8)


def png_bytes(image: np.ndarray, scale: int = 4) -> bytes:
    """A uint8 (H, W, 3) image enlarged ``scale`` times (nearest) and encoded as PNG."""
    import matplotlib.pyplot as plt

    big = np.repeat(np.repeat(image, scale, axis=0), scale, axis=1)
    buffer = io.BytesIO()
    plt.imsave(buffer, big, format="png")
    return buffer.getvalue()


class Painter:
    """The painter's state and logic; ``widget()`` wraps it in ipywidgets.

    ``model`` is a trained ``StyledSPADE`` or ``SPADEGenerator`` (e.g.
    ``course_lib.models.spade.load_spade()``).
    """

    def __init__(self, model: torch.nn.Module, labels: np.ndarray | None = None,
                 grid: int = GRID, seed: int = 0) -> None:
        generator = getattr(model, "generator", model)
        self.model, self.grid = model, grid
        self.size = generator.config.image_size
        self.labels = blank_map(self.size) if labels is None else np.array(labels, np.uint8)
        self.cls, self.brush = CLASSES.index("tree"), 2
        self.z_dim = generator.config.z_dim
        self.seed = seed
        self.z = torch.randn(1, self.z_dim, generator=torch.Generator().manual_seed(seed))
        self.picture = generate_picture(model, self.labels, self.z)
        self._ui: dict[str, Any] | None = None

    # ------------------------------------------------------------------ the logic
    def click(self, row: int, col: int) -> np.ndarray:
        """Paint the current class with the current brush at cell (row, col); regenerate."""
        self.labels = paint_cell(self.labels, row, col, self.cls, self.brush, self.grid)
        return self.redraw()

    def select(self, name: str) -> None:
        """Choose the brush's class by name (one of ``CLASSES``)."""
        self.cls = CLASSES.index(name)

    def new_noise(self) -> np.ndarray:
        """Draw another z from N(0, I): same map, another picture (multimodal synthesis)."""
        self.seed += 1
        self.z = torch.randn(1, self.z_dim, generator=torch.Generator().manual_seed(self.seed))
        return self.redraw()

    def set_style(self, z: torch.Tensor) -> np.ndarray:
        """Use a given style code (1, z_dim), e.g. the encoder's code of a sunset render."""
        self.z = z.detach().reshape(1, self.z_dim).float().cpu()
        return self.redraw()

    def reset(self) -> np.ndarray:
        self.labels = blank_map(self.size)
        return self.redraw()

    def redraw(self) -> np.ndarray:
        self.picture = generate_picture(self.model, self.labels, self.z)
        if self._ui is not None:
            self._refresh_ui()
        return self.picture

    # ------------------------------------------------------------------ the views
    def static_figure(self, n_styles: int = 3):
        """The map and its pictures for the current z and ``n_styles - 1`` other z (matplotlib)."""
        import matplotlib.pyplot as plt

        from course_lib.data.landscapes.classes import colorize

        pictures = [self.picture] + [
            generate_picture(self.model, self.labels,
                             torch.randn(1, self.z_dim,
                                         generator=torch.Generator().manual_seed(1000 + k)))
            for k in range(n_styles - 1)]
        fig, axes = plt.subplots(1, n_styles + 1, figsize=(2.6 * (n_styles + 1), 2.8))
        axes[0].imshow(colorize(self.labels), interpolation="nearest")
        axes[0].set_title("painted map")
        for k, (ax, picture) in enumerate(zip(axes[1:], pictures, strict=True)):
            ax.imshow(picture, interpolation="nearest")
            ax.set_title("current z" if k == 0 else f"another z ({k})")
        for ax in axes:
            ax.axis("off")
        fig.tight_layout()
        return fig

    def widget(self):
        """The ipywidgets interface: class buttons, brush size, canvas grid, picture."""
        import ipywidgets as w

        cell = f"{max(12, 256 // self.grid)}px"
        buttons = []
        for r in range(self.grid):
            for c in range(self.grid):
                button = w.Button(layout=w.Layout(width=cell, height=cell, padding="0",
                                                  margin="0", border="0"))
                button.on_click(lambda _, r=r, c=c: self.click(r, c))
                buttons.append(button)
        canvas = w.GridBox(buttons, layout=w.Layout(
            grid_template_columns=f"repeat({self.grid}, {cell})", grid_gap="0"))
        classes = w.ToggleButtons(options=list(CLASSES), value=CLASSES[self.cls],
                                  description="brush")
        classes.observe(lambda change: self.select(change["new"]), names="value")
        brush = w.IntSlider(value=self.brush, min=1, max=5, description="size")
        brush.observe(lambda change: setattr(self, "brush", change["new"]), names="value")
        noise = w.Button(description="new z (another style)")
        noise.on_click(lambda _: self.new_noise())
        clear = w.Button(description="clear")
        clear.on_click(lambda _: self.reset())
        picture = w.Image(format="png", width=256, height=256)
        self._ui = {"buttons": buttons, "picture": picture}
        self._refresh_ui()
        return w.VBox([classes, w.HBox([brush, noise, clear]), w.HBox([canvas, picture])])

    def _refresh_ui(self) -> None:
        shown = cell_classes(self.labels, self.grid).ravel()
        for button, cls in zip(self._ui["buttons"], shown, strict=True):
            button.style.button_color = hex_color(int(cls))
        self._ui["picture"].value = png_bytes(self.picture, 256 // self.size)


def show_painter(model: torch.nn.Module, labels: np.ndarray | None = None, seed: int = 0
                 ) -> Painter:
    """Display the painter widget and, below it, a static example of what it shows.

    With a widget frontend (JupyterLab, Colab) the widget is live; without one (nbval, an
    HTML export, GitHub's viewer) only the static figure is visible, so the notebook still
    shows a painted map and its pictures.
    """
    import matplotlib.pyplot as plt
    from IPython.display import display

    painter = Painter(model, labels, seed=seed)
    try:
        display(painter.widget())
    except ImportError:  # no ipywidgets: the figure below is all there is
        pass
    figure = painter.static_figure()
    display(figure)
    plt.close(figure)
    return painter
