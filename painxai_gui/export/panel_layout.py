"""Where everything of a figure panel goes, in inches, and text that fits without being cut.

The figure is ``tile_inches`` per column wide and ``1.12 * tile_inches`` per
row high (plus room for the column headers, an optional title and the colour
bars), so a panel's print size follows from its grid. Inside it:

    [figure title]
             original      Grad-CAM      LRP-Z          <- column headers
    row      true: happiness · pred: happy 0.97         <- row title (one per row)
    label    [crop]        [tile]        [tile]
    ...
             colour bars (per tile, or one per column)

Row labels are drawn rotated to the left of the row, made of whole parts
(subject, category, "frame 12") joined on one line while they fit the tile's
height and on the next line when not -- never cut. Sizes are measured with
matplotlib's own font metrics.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from functools import lru_cache
from typing import Sequence

LABEL_PT = 7.0     # row labels
TITLE_PT = 7.0     # row titles ("true: ... · pred: ...") and tile notes
HEADER_PT = 8.0    # column headers (method names)
FIGURE_TITLE_PT = 10.0
TICK_PT = 6.0
LINE = 1.25        # line height, in font sizes
HEADER_INCHES = 0.6
LEGEND_INCHES = 0.7
FIGURE_TITLE_INCHES = 0.1  # more room above the headers for a title (headers seldom use all of theirs)
ROW_TITLE_INCHES = 0.17
GAP_INCHES = 0.06
RIGHT_INCHES = 0.04
SEPARATOR = " · "


@lru_cache(maxsize=4096)
def text_width_pt(text: str, size: float, bold: bool = False) -> float:
    """Width of ``text`` in points at ``size`` (matplotlib's default font, as drawn)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    return float(TextToPath().get_text_width_height_descent(text, prop, ismath=False)[0])


def fit_lines(parts: Sequence[str], width_pt: float, size: float, sep: str = SEPARATOR,
              one_line: bool | None = None) -> list[str]:
    """Whole ``parts`` joined with ``sep``: on one line when it fits (or ``one_line`` says so), else the
    first part alone and the others on as few lines as fit ``width_pt``. A part is never split (one longer
    than a line gets a line of its own), so every label shows its subject, category and frame in full."""
    parts = [p for p in parts if p]
    if one_line if one_line is not None else text_width_pt(sep.join(parts), size) <= width_pt:
        return [sep.join(parts)] if parts else []
    lines = parts[:1]
    for part in parts[1:]:
        if len(lines) > 1 and text_width_pt(lines[-1] + sep + part, size) <= width_pt:
            lines[-1] += sep + part
        else:
            lines.append(part)
    return lines


def label_lines(rows_parts: Sequence[Sequence[str]], width_pt: float) -> list[list[str]]:
    """Every row's label lines, grouped alike: one line each only when every row's label fits on one."""
    one = all(text_width_pt(SEPARATOR.join(p for p in parts if p), LABEL_PT) <= width_pt for parts in rows_parts)
    return [fit_lines(parts, width_pt, LABEL_PT, one_line=one) for parts in rows_parts]


def header_text(title: str) -> str:
    """A column header wrapped at word boundaries (``LRP-PresetAFlat`` stays whole)."""
    return "\n".join(textwrap.wrap(title, 16, break_long_words=False, break_on_hyphens=False)) or title


def number(value: float) -> str:
    """A colour-bar tick: two significant digits (``0.84``, ``0.0031``, ``2.4e+02``), 0 as ``0``."""
    return "0" if value == 0 else f"{value:.2g}"


@dataclass(frozen=True)
class Geometry:
    """The panel's grid in inches (origin top-left) and its conversion to figure fractions."""

    width: float
    height: float
    top: float          # inches above the first row (figure title + column headers)
    left: float         # room for the row labels
    cell: float         # column pitch without the gap
    tile: float         # side of every (square) tile
    pitch: float        # row pitch
    nrows: int
    ncols: int

    @classmethod
    def make(cls, nrows: int, ncols: int, tile_inches: float, label_lines: int, title_lines: int = 0) -> "Geometry":
        title = FIGURE_TITLE_INCHES + (title_lines - 1) * FIGURE_TITLE_PT * LINE / 72 if title_lines else 0.0
        top = HEADER_INCHES + title
        width = tile_inches * ncols
        height = tile_inches * nrows * 1.12 + top + LEGEND_INCHES
        left = 0.06 + max(label_lines, 1) * LABEL_PT * LINE / 72 + 0.05
        cell = (width - left - RIGHT_INCHES - GAP_INCHES * (ncols - 1)) / ncols
        pitch = tile_inches * 1.12
        tile = max(0.1, min(cell, pitch - ROW_TITLE_INCHES - 0.04))
        return cls(width, height, top, left, cell, tile, pitch, nrows, ncols)

    def tile_left(self, col: int) -> float:
        return self.left + col * (self.cell + GAP_INCHES) + (self.cell - self.tile) / 2

    def tile_top(self, row: int) -> float:
        return self.top + row * self.pitch + ROW_TITLE_INCHES

    def rect(self, row: int, col: int) -> list[float]:
        """``[left, bottom, width, height]`` of tile (row, col) in figure fractions (for ``add_axes``)."""
        x, y = self.tile_left(col), self.tile_top(row) + self.tile
        return [x / self.width, 1 - y / self.height, self.tile / self.width, self.tile / self.height]

    def fx(self, inches: float) -> float:
        return inches / self.width

    def fy(self, inches_from_top: float) -> float:
        return 1 - inches_from_top / self.height

    def label_room_pt(self) -> float:
        """How long a rotated row-label line may be: the tile's height."""
        return self.tile * 72


def layout_for(rows_parts: Sequence[Sequence[str]], nrows: int, ncols: int, tile_inches: float,
               title_lines: int) -> tuple["Geometry", list[list[str]]]:
    """The geometry and every row's label lines (the left margin depends on how many lines they take)."""
    guess = Geometry.make(nrows, ncols, tile_inches, 2, title_lines)
    lines = label_lines(rows_parts, guess.label_room_pt())
    geom = Geometry.make(nrows, ncols, tile_inches, max((len(x) for x in lines), default=1), title_lines)
    return geom, label_lines(rows_parts, geom.label_room_pt())


def wrap_words(text: str, width_pt: float, size: float, bold: bool = False) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width_pt`` (a longer word keeps its own line)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width_pt(lines[-1] + " " + word, size, bold) <= width_pt:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def draw_texts(fig, geom: Geometry, headers: Sequence[str], labels: Sequence[Sequence[str]],
               row_titles: Sequence[str], title: str | None) -> None:
    """Figure title, column headers, rotated row labels (lines) and row titles, all as text objects."""
    wrapped = [header_text(h) for h in headers]
    for c, header in enumerate(wrapped):
        x = geom.tile_left(c) + geom.tile / 2
        fig.text(geom.fx(x), geom.fy(geom.top - 0.04), header, ha="center", va="bottom",
                 fontsize=HEADER_PT, weight="bold", multialignment="center")
    if title:  # already wrapped (title_lines)
        header_lines = max((h.count("\n") + 1 for h in wrapped), default=1)
        y = geom.top - 0.04 - header_lines * HEADER_PT * LINE / 72 - 0.1
        fig.text(0.5, geom.fy(y), title, ha="center", va="bottom", fontsize=FIGURE_TITLE_PT, weight="bold",
                 multialignment="center")
    room = geom.width - geom.tile_left(0) - RIGHT_INCHES
    for r, (lines, row_title) in enumerate(zip(labels, row_titles)):
        centre = geom.tile_top(r) + geom.tile / 2
        fig.text(geom.fx(geom.left - 0.05), geom.fy(centre), "\n".join(lines), rotation=90, ha="right",
                 va="center", fontsize=LABEL_PT, multialignment="center")
        text = row_title if text_width_pt(row_title, TITLE_PT) <= room * 72 else row_title.replace(SEPARATOR, "\n")
        fig.text(geom.fx(geom.tile_left(0)), geom.fy(geom.tile_top(r) - 0.03), text, ha="left", va="bottom",
                 fontsize=TITLE_PT)


def tile_note(fig, geom: Geometry, row: int, col: int, text: str) -> None:
    """A short note under a tile's top edge, right-aligned (e.g. which class a tile explains)."""
    fig.text(geom.fx(geom.tile_left(col) + geom.tile), geom.fy(geom.tile_top(row) - 0.03), text,
             ha="right", va="bottom", fontsize=TICK_PT, color="#444444")


TILE_LEGEND = {False: ("per tile: 0 to max of each tile", (0.0, 1.0), ("0", "max")),
               True: ("per tile: -max to +max of each tile (0 = white)", (-1.0, 0.0, 1.0), ("-max", "0", "+max"))}
COLUMN_LEGEND = {False: "unsigned: 0 to max over the column", True: "signed: -max to +max over the column (0 = white)"}


def _bar(fig, rect: list[float], cmap: str, vmin: float, vmax: float, ticks: Sequence[float],
         labels: Sequence[str], label: str | None = None) -> None:
    import matplotlib
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize

    cax = fig.add_axes(rect)
    bar = fig.colorbar(ScalarMappable(Normalize(vmin, vmax), matplotlib.colormaps[cmap]), cax=cax,
                       orientation="horizontal", ticks=list(ticks))
    bar.ax.set_xticklabels(list(labels))
    bar.ax.tick_params(labelsize=TICK_PT, length=2, pad=1)
    if label:
        bar.set_label(label, fontsize=TICK_PT)


def draw_tile_legend(fig, geom: Geometry, kinds: dict[bool, str]) -> None:
    """Per-tile scale: one bar per kind present (unsigned / signed), saying each tile has its own scale."""
    bar_width = min(0.8 * geom.width / (len(kinds) + 1), 2.5)
    for i, signed in enumerate(sorted(kinds)):
        centre = geom.width * ((i + 1) / (len(kinds) + 1))
        label, ticks, names = TILE_LEGEND[signed]
        rect = [geom.fx(centre - bar_width / 2), 0.38 / geom.height, geom.fx(bar_width), 0.06 / geom.height]
        _bar(fig, rect, kinds[signed], ticks[0], ticks[-1], ticks, names, label)


def draw_column_legend(fig, geom: Geometry, columns: Sequence[tuple[int, object]]) -> None:
    """Shared scale per column: a bar under each method column with its numbers, and one line saying so."""
    for col, norm in columns:
        ticks = (norm.vmin, 0.0, norm.vmax) if norm.signed else (norm.vmin, norm.vmax)
        width = geom.tile * 0.9
        rect = [geom.fx(geom.tile_left(col) + (geom.tile - width) / 2), 0.44 / geom.height, geom.fx(width),
                0.06 / geom.height]
        _bar(fig, rect, norm.cmap, norm.vmin, norm.vmax, ticks, [number(t) for t in ticks])
    kinds = sorted({norm.signed for _, norm in columns})
    text = "colour scale shared per column: " + "; ".join(COLUMN_LEGEND[k] for k in kinds)
    fig.text(0.5, 0.1 / geom.height, text, ha="center", va="bottom", fontsize=TICK_PT)
