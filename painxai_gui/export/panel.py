"""Figure panels like thesis Figures 5.6-5.23: rows = face crops, columns = original + methods.

Each row is labelled in full on its left (subject, category, frame: whole
parts, two lines when needed) and titled in one vocabulary, ``true: happiness
· pred: happy 0.97`` (the dataset's category, the model's class and its
probability). Heatmaps use the colour policy of :mod:`painxai_gui.export.colormaps`
with one of two scales: ``tile`` (each map to its own max, the default: what
the thesis's tools drew) or ``column`` (one scale per method column, for
comparing magnitudes between rows); the colour bars say which. Matplotlib
(Agg) renders at print resolution to PNG, PDF or SVG with text kept as text,
written atomically. Each file gets its own record: :func:`record_path`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from painxai_gui.errors import ExportError
from painxai_gui.export import panel_layout as layout
from painxai_gui.export.colormaps import DIVERGING, SEQUENTIAL, Normalisation, normalisation, shared_normalisation
from painxai_gui.files import atomic_write

FORMATS = ("png", "pdf", "svg")
#: colour scales: each tile to its own max, or one scale per method column
SCALES = ("tile", "column")
DEFAULT_SCALE = "tile"
#: the panel's JSON record, written with ``files.write_record`` next to the panel: see :func:`record_path`
RECORD_KIND = "painxai-panel"
RECORD_VERSION = 2
LEGEND_INCHES = layout.LEGEND_INCHES  # room under the tiles for the colour bars


def record_path(out: str | Path) -> Path:
    """The record of a panel file: its full name + ``.json`` (``panel.png`` -> ``panel.png.json``), so a
    PDF and a PNG of the same stem keep a record each."""
    out = Path(out)
    return out.with_name(out.name + ".json")


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
    target_name: str | None = None  # the explained class's name
    warnings: tuple[str, ...] = ()  # the engine's warnings, verbatim (e.g. exploded LRP relevance)


@dataclass(frozen=True)
class PanelRow:
    """One face crop with its true category, predicted class and explanation tiles (in column order)."""

    image: np.ndarray  # uint8 RGB
    source: str
    category: str | None  # the image's dataset category (or true class name), None if unknown
    predicted: str
    cells: tuple[PanelCell, ...]
    probability: float | None = None  # the model's probability of ``predicted``
    label: tuple[str, ...] = ()  # row label parts, e.g. (subject, category, "frame 12"); default: source name

    @property
    def title(self) -> str:
        """``true: happiness · pred: happy 0.97``."""
        prob = "" if self.probability is None else f" {self.probability:.2f}"
        return f"true: {self.category or '?'}{layout.SEPARATOR}pred: {self.predicted}{prob}"

    @property
    def label_parts(self) -> tuple[str, ...]:
        return self.label or tuple(p for p in (Path(self.source).name, self.category) if p)


def check_out(out: Path) -> str:
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


def tile_norms(rows: list[PanelRow], scale: str, cmaps: dict[bool, str]) -> list[list[Normalisation]]:
    """Every tile's normalisation (row-major): its own, or its column's shared one."""
    if scale not in SCALES:
        raise ExportError(f"unknown colour scale {scale!r} (use {', '.join(SCALES)})")
    if scale == "tile":
        return [[normalisation(c.heatmap, c.signed, cmaps[c.signed]) for c in row.cells] for row in rows]
    ncells = len(rows[0].cells)
    shared = [shared_normalisation([row.cells[c].heatmap for row in rows], rows[0].cells[c].signed,
                                   cmaps[rows[0].cells[c].signed]) for c in range(ncells)]
    return [list(shared) for _ in rows]


def compose_panel(rows: list[PanelRow], column_titles: list[str], out: str | Path, dpi: int = 300,
                  tile_inches: float = 1.4, cmaps: dict[bool, str] | None = None, *, scale: str = DEFAULT_SCALE,
                  title: str | None = None) -> list[list[dict]]:
    """Render the panel to ``out``; returns the colour normalisation of every tile (row-major)."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    out = Path(out)
    fmt = check_out(out)
    if not rows:
        raise ExportError("a panel needs at least one row", out)
    cmaps = {False: SEQUENTIAL, True: DIVERGING, **(cmaps or {})}
    norms = tile_norms(rows, scale, cmaps)
    ncol = 1 + len(column_titles)
    title_lines = layout.wrap_words(title or "", (tile_inches * ncol - 0.2) * 72, layout.FIGURE_TITLE_PT, bold=True)
    geom, labels = layout.layout_for([row.label_parts for row in rows], len(rows), ncol, tile_inches,
                                     len(title_lines))
    fig = plt.figure(figsize=(geom.width, geom.height))
    for r, row in enumerate(rows):
        _draw_tile(fig.add_axes(geom.rect(r, 0)), row.image)
        for c, (cell, norm) in enumerate(zip(row.cells, norms[r]), start=1):
            _draw_tile(fig.add_axes(geom.rect(r, c)), cell.heatmap, norm.cmap, norm)
            if cell.target_name and cell.target_name != row.predicted:
                layout.tile_note(fig, geom, r, c, f"for: {cell.target_name}")
    layout.draw_texts(fig, geom, ["original", *column_titles], labels, [row.title for row in rows],
                      "\n".join(title_lines))
    if rows[0].cells and scale == "column":
        layout.draw_column_legend(fig, geom, list(enumerate(norms[0], start=1)))
    elif rows[0].cells:
        layout.draw_tile_legend(fig, geom, {c.signed: cmaps[c.signed] for c in rows[0].cells})
    # keep text as text: editable labels in PDF (TrueType) and SVG, as journals ask
    with matplotlib.rc_context({"pdf.fonttype": 42, "svg.fonttype": "none"}):
        try:
            atomic_write(out, lambda tmp: fig.savefig(tmp, format=fmt, dpi=dpi))
        finally:
            plt.close(fig)
    return [[{"method": cell.method, "target": cell.target, "scale": scale, **norm.to_json()}
             for cell, norm in zip(row.cells, row_norms)] for row, row_norms in zip(rows, norms)]
