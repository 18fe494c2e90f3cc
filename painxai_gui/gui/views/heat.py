"""Heatmap display settings -> what an ImageItem needs (data, levels, LUT), via the shared colour policy."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
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


def smooth(data: np.ndarray, size: tuple[float, float]) -> np.ndarray:
    """``data`` resized bilinearly to ``size`` (width, height) in pixels, at least 1 x 1.

    A 64 x 64 heatmap stretched over a 300-pixel face box would otherwise show
    its input pixels as blocks; resampling the values (not the colours) keeps
    the colour map exact.
    """
    w, h = max(1, int(round(size[0]))), max(1, int(round(size[1])))
    data = np.asarray(data, np.float32)
    if data.shape[:2] == (h, w):
        return data
    return cv2.resize(data, (w, h), interpolation=cv2.INTER_LINEAR)


def smoothed(display: HeatDisplay, size: tuple[float, float]) -> HeatDisplay:
    """``display`` with its data resampled by :func:`smooth` (same levels and LUT)."""
    return HeatDisplay(smooth(display.data, size), display.levels, display.lut, display.cmap, display.signed)


def cmap_choices() -> tuple[str, ...]:
    return (AUTO, *colormaps.CHOICES)
