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


@lru_cache(maxsize=64)
def cached_lut(cmap: str, fade: str = "") -> np.ndarray:
    """The shared colour map's LUT; with ``fade`` ("signed"/"unsigned") weak values become transparent.

    Fading changes only the alpha channel (colours stay those of the panel
    export), so the face shows through where the relevance is near zero.
    """
    table = colormaps.lut(cmap).copy()
    if fade:
        t = np.linspace(0.0, 1.0, len(table))
        strength = np.abs(2.0 * t - 1.0) if fade == "signed" else t
        table[:, 3] = np.round(255 * np.clip(strength / 0.5, 0, 1) ** 0.8).astype(np.uint8)
    table.setflags(write=False)
    return table


def heat_display(heatmap: np.ndarray, signed: bool, cmap: str = AUTO, fade: bool = False) -> HeatDisplay:
    """Signed: diverging, symmetric about 0. Unsigned: |values| of a signed map (or the map), 0..max."""
    data = np.asarray(heatmap, np.float32)
    if not signed:
        data = np.abs(data) if (data < 0).any() else data
    name = colormaps.default_cmap(signed) if cmap in (AUTO, "", None) else cmap
    norm = colormaps.normalisation(data, signed, name)
    lut = cached_lut(norm.cmap, ("signed" if signed else "unsigned") if fade else "")
    return HeatDisplay(data, (norm.vmin, norm.vmax), lut, norm.cmap, signed)


def cmap_choices() -> tuple[str, ...]:
    return (AUTO, *colormaps.CHOICES)
