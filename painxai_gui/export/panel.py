"""Figure panels like thesis Figures 5.6-5.23: rows = face crops, columns = original + methods.

Each tile is titled "true category / predicted class"; every heatmap uses the shared colour
policy of :mod:`painxai_gui.export.colormaps`. Matplotlib (Agg) renders at print
resolution to PNG, PDF or SVG, written atomically.
"""

from __future__ import annotations

import os
import textwrap
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from painxai_gui.errors import ExportError
from painxai_gui.export.colormaps import DIVERGING, SEQUENTIAL, Normalisation, normalisation
from painxai_gui.files import atomic_write

FORMATS = ("png", "pdf", "svg")
#: the panel's JSON record (``panel.png`` -> ``panel.json``), written with ``files.write_record``
RECORD_KIND = "painxai-panel"
RECORD_VERSION = 1
LEGEND_INCHES = 0.7  # room under the tiles for the two colour bars


@dataclass(frozen=True)
class PanelCell:
    """One explanation tile."""

    method: str
    heatmap: np.ndarray
    signed: bool
    target: int
    options: dict[str, Any] = field(default_factory=dict)
    regions: dict[str, float] | None = None  # share of positive relevance per facial region
    region_sums: dict[str, float] | None = None  # signed sum per facial region (signed methods)


@dataclass(frozen=True)
class PanelRow:
    """One face crop with its true category, predicted class and explanation tiles (in column order)."""

    image: np.ndarray  # uint8 RGB
    source: str
    category: str | None  # the image's dataset category (or true class name), None if unknown
    predicted: str
    cells: tuple[PanelCell, ...]

    @property
    def title(self) -> str:
        return f"{self.category or '?'} / {self.predicted}"


def _check_out(out: Path) -> str:
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        raise ExportError(f"unsupported panel format {fmt!r} (use {', '.join(FORMATS)})", out)
    if not out.parent.is_dir():
        raise ExportError("output folder does not exist", out.parent)
    if not os.access(out.parent, os.W_OK):
        raise ExportError("output folder is not writable", out.parent)
    return fmt


def _draw_tile(ax, image: np.ndarray, cmap: str | None = None, norm: Normalisation | None = None) -> None:
    if norm is None:
        ax.imshow(image, interpolation="nearest")
    else:
        ax.imshow(image, cmap=cmap, vmin=norm.vmin, vmax=norm.vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)


def _legend(fig, bottom_inches: float) -> None:
    import matplotlib
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    for i, (cmap, lo, label, ticks) in enumerate((
        (SEQUENTIAL, 0.0, "unsigned: 0 to max of each tile", (0, 1)),
        (DIVERGING, -1.0, "signed: -max to +max of each tile (0 = white)", (-1, 0, 1)),
    )):
        height, width = fig.get_figheight(), fig.get_figwidth()
        bar_width = min(0.35, 2.5 / width)  # at most 2.5 inches wide
        centre = 0.3 + 0.4 * i
        cax = fig.add_axes([centre - bar_width / 2, 0.38 / height, bar_width, 0.06 / height])
        bar = fig.colorbar(ScalarMappable(Normalize(lo, 1.0), matplotlib.colormaps[cmap]), cax=cax,
                           orientation="horizontal", ticks=ticks)
        bar.ax.tick_params(labelsize=6)
        bar.set_label(label, fontsize=6)


def compose_panel(rows: list[PanelRow], column_titles: list[str], out: str | Path, dpi: int = 300,
                  tile_inches: float = 1.4, cmaps: dict[bool, str] | None = None) -> list[list[dict]]:
    """Render the panel to ``out``; returns the colour normalisation of every tile (row-major)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    out = Path(out)
    fmt = _check_out(out)
    if not rows:
        raise ExportError("a panel needs at least one row", out)
    cmaps = {False: SEQUENTIAL, True: DIVERGING, **(cmaps or {})}
    ncol = 1 + len(column_titles)
    fig, axes = plt.subplots(len(rows), ncol, figsize=(tile_inches * ncol, tile_inches * len(rows) * 1.12 + 0.6 + LEGEND_INCHES),
                             squeeze=False)
    norms: list[list[dict]] = []
    for r, row in enumerate(rows):
        _draw_tile(axes[r, 0], row.image)
        axes[r, 0].set_title(row.title, fontsize=7)
        axes[r, 0].set_ylabel(Path(row.source).name[:24], fontsize=5)
        row_norms = []
        for c, cell in enumerate(row.cells, start=1):
            norm = normalisation(cell.heatmap, cell.signed, cmaps[cell.signed])
            _draw_tile(axes[r, c], cell.heatmap, norm.cmap, norm)
            axes[r, c].set_title(row.title, fontsize=7)
            row_norms.append({"method": cell.method, "target": cell.target, **norm.to_json()})
        norms.append(row_norms)
    for c, title in enumerate(["original", *column_titles]):
        title = "\n".join(textwrap.wrap(title, 16, break_long_words=False, break_on_hyphens=False))
        axes[0, c].annotate(title, (0.5, 1.22), xycoords="axes fraction", ha="center", va="bottom",
                            fontsize=8, weight="bold")
    height = fig.get_figheight()
    fig.subplots_adjust(left=0.04, right=0.98, top=1 - 0.55 / height, bottom=LEGEND_INCHES / height,
                        wspace=0.06, hspace=0.3)
    _legend(fig, LEGEND_INCHES)
    # keep text as text: editable labels in PDF (TrueType) and SVG, as journals ask
    with matplotlib.rc_context({"pdf.fonttype": 42, "svg.fonttype": "none"}):
        try:
            atomic_write(out, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi))
        finally:
            plt.close(fig)
    return norms
