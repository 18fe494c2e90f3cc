"""Heatmap display settings -> what an ImageItem needs (data, levels, LUT), via the shared colour policy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from painxai_gui.export import colormaps

AUTO = "auto"


@dataclass(frozen=True)
class HeatDisplay:
    """A heatmap ready for ``ImageItem.setImage(data, levels=levels)`` with ``setLookupTable(lut)``."""

    data: np.ndarray
    levels: tuple[float, float]
    lut: np.ndarray
    cmap: str
    signed: bool


@lru_cache(maxsize=32)
def cached_lut(cmap: str) -> np.ndarray:
    table = colormaps.lut(cmap)
    table.setflags(write=False)
    return table


def heat_display(heatmap: np.ndarray, signed: bool, cmap: str = AUTO) -> HeatDisplay:
    """Signed: diverging, symmetric about 0. Unsigned: |values| of a signed map (or the map), 0..max."""
    data = np.asarray(heatmap, np.float32)
    if not signed:
        data = np.abs(data) if (data < 0).any() else data
    name = colormaps.default_cmap(signed) if cmap in (AUTO, "", None) else cmap
    norm = colormaps.normalisation(data, signed, name)
    return HeatDisplay(data, (norm.vmin, norm.vmax), cached_lut(norm.cmap), norm.cmap, signed)


def cmap_choices() -> tuple[str, ...]:
    return (AUTO, *colormaps.CHOICES)
