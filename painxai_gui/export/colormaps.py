"""One colour policy for every view: viewer docks, video overlay and exported panels.

Unsigned maps (gradients, Grad-CAM) use one sequential map scaled 0..max;
signed maps (LRP, LIME positive/negative) use one diverging map centred on 0,
scaled symmetrically to max |value| -- of each map, or of a group of maps
(:func:`shared_normalisation`: a panel column shares one scale). The GUI takes 256-entry LUTs from here,
panels take the same matplotlib colormaps, so a picture means the same everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

SEQUENTIAL = "inferno"
DIVERGING = "RdBu_r"  # red = positive relevance, blue = negative
CHOICES = ("inferno", "viridis", "magma", "jet", "gray", "RdBu_r", "bwr", "seismic", "coolwarm")


@dataclass(frozen=True)
class Normalisation:
    """How heatmap values map to colours: [vmin, vmax] and the colormap name."""

    vmin: float
    vmax: float
    cmap: str
    signed: bool

    def to_json(self) -> dict:
        return {"vmin": self.vmin, "vmax": self.vmax, "cmap": self.cmap, "signed": self.signed}


def default_cmap(signed: bool) -> str:
    return DIVERGING if signed else SEQUENTIAL


def normalisation(heatmap: np.ndarray, signed: bool, cmap: str | None = None, percentile: float = 100.0) -> Normalisation:
    """Per-map scaling: signed maps symmetric about 0, unsigned maps from 0 (robust max by percentile)."""
    values = np.abs(heatmap) if signed else np.clip(heatmap, 0, None)
    finite = values[np.isfinite(values)]
    top = float(np.percentile(finite, percentile)) if finite.size else 0.0
    top = top if top > 0 else 1e-12
    lo = -top if signed else 0.0
    return Normalisation(lo, top, cmap or default_cmap(signed), signed)


def shared_normalisation(heatmaps: Sequence[np.ndarray], signed: bool, cmap: str | None = None,
                         percentile: float = 100.0) -> Normalisation:
    """One scale for several maps (a panel column): the largest of their per-map scales, so every map
    is drawn on the same ``[vmin, vmax]`` and colours compare across maps."""
    if not heatmaps:
        raise ValueError("shared_normalisation needs at least one heatmap")
    top = max(normalisation(h, signed, cmap, percentile).vmax for h in heatmaps)
    return Normalisation(-top if signed else 0.0, top, cmap or default_cmap(signed), signed)


def lut(cmap: str, n: int = 256) -> np.ndarray:
    """(n, 4) uint8 RGBA lookup table of a matplotlib colormap (for pyqtgraph ImageItem)."""
    import matplotlib

    colors = matplotlib.colormaps[cmap](np.linspace(0.0, 1.0, n))
    return np.round(colors * 255).astype(np.uint8)


def to_rgba(heatmap: np.ndarray, norm: Normalisation) -> np.ndarray:
    """Heatmap -> uint8 RGBA image with the normalisation's colormap (NaN -> transparent)."""
    table = lut(norm.cmap)
    scaled = (np.asarray(heatmap, np.float64) - norm.vmin) / (norm.vmax - norm.vmin)
    idx = np.clip(np.nan_to_num(scaled, nan=0.0) * 255.0, 0, 255).astype(np.uint8)
    rgba = table[idx]
    rgba[~np.isfinite(heatmap), 3] = 0
    return rgba


def blend(image_rgb: np.ndarray, heatmap: np.ndarray, norm: Normalisation, opacity: float = 0.5) -> np.ndarray:
    """Overlay a heatmap on a uint8 RGB image of the same size."""
    rgba = to_rgba(heatmap, norm).astype(np.float32)
    alpha = opacity * rgba[..., 3:4] / 255.0
    out = image_rgb.astype(np.float32) * (1 - alpha) + rgba[..., :3] * alpha
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
