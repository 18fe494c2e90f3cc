"""THE per-image explanation step of a study: explain a batch of face crops, measure their regions.

A shard calls :func:`explain_faces` and nothing else explains or measures
regions. Explanations are batched through the engine's ``explain_batch``
(one call for many crops); the region measures are the app's own
(:func:`painxai_gui.explain.face.region_stats`, the one region computation
shared with the docks, panels and ``painxai explain``): the crop's 68
landmarks give disjoint regions (brows ... jaw) plus ``other``, drawn at the
heatmap's size; per region the positive ``share``, the ``density`` (share /
area share) and, for signed methods, the ``signed`` sum. Class contrast is 1 -
Spearman correlation of the map for the target and for the runner-up class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

REGION_MEASURES = ("share", "density", "signed")


def region_columns() -> tuple[str, ...]:
    """Region names incl. ``other``, in table order."""
    from painxai_gui.explain.face import REGION_ORDER

    return REGION_ORDER


@dataclass
class FaceExplanations:
    """One method on N crops: heatmaps at the model's input size plus per-image measures."""

    method: str
    signed: bool
    options: dict[str, Any]
    targets: np.ndarray  # N, the class explained
    heatmaps: np.ndarray  # N x h x w float32
    regions: dict[str, np.ndarray] = field(default_factory=dict)  # "share_eyes" -> N values
    contrast: np.ndarray | None = None  # N, NaN where undefined


def region_measures(heatmap: np.ndarray, landmarks: np.ndarray | None, crop_size: int,
                    signed: bool) -> dict[str, float]:
    """``share_r``, ``density_r`` and ``signed_r`` (NaN for unsigned methods) of one heatmap."""
    from painxai_gui.explain.face import region_stats

    usable = landmarks is not None and np.isfinite(landmarks).all()
    return _measures(region_stats(heatmap, landmarks if usable else None, crop_size, signed), signed)


def _measures(stats: Any, signed: bool) -> dict[str, float]:
    """A RegionStats (or None: no landmarks) as the study's columns."""
    names = region_columns()
    if stats is None:
        return {f"{m}_{r}": float("nan") for m in REGION_MEASURES for r in names}
    out = {f"share_{r}": v for r, v in stats.shares().items()}
    out.update({f"density_{r}": v for r, v in stats.densities().items()})
    sums = stats.sums()
    out.update({f"signed_{r}": (sums[r] if sums is not None else float("nan")) for r in names})
    return out


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation of two maps over their pixels (NaN when either is constant)."""
    from scipy.stats import spearmanr

    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def explain_faces(loaded: Any, crops: np.ndarray, xs: np.ndarray, landmarks: np.ndarray, method: str,
                  targets: Sequence[int], runner_up: Sequence[int] | None = None,
                  options: dict[str, Any] | None = None) -> FaceExplanations:
    """Explain crops (``xs``: preprocessed) for ``targets`` through the app's
    :func:`painxai_gui.explain.face.explain_faces`; regions from ``landmarks`` (N x 68 x 2, crop px).

    With ``runner_up`` the method also explains that class on the same
    images (in the same batch) and the class contrast is filled in.
    """
    from painxai_gui.explain import METHODS
    from painxai_gui.explain.face import explain_faces as explain_face_batch

    n = len(xs)
    wanted = [int(t) for t in targets] + ([int(t) for t in runner_up] if runner_up is not None else [])
    twice = runner_up is not None
    faces = explain_face_batch(loaded, list(crops) * (2 if twice else 1), list(landmarks) * (2 if twice else 1),
                               method, options, wanted, xs=np.concatenate([xs, xs]) if twice else xs)
    heatmaps = np.stack([np.asarray(f.heatmap, np.float32) for f in faces])
    signed = bool(METHODS[method].signed)
    rows = [_measures(f.regions, signed) for f in faces[:n]]
    out = FaceExplanations(method, signed, dict(faces[0].explanation.options) if faces else {},
                           np.asarray([f.target for f in faces[:n]], np.int64), heatmaps[:n])
    out.regions = {key: np.asarray([r[key] for r in rows], np.float64) for key in (rows[0] if rows else {})}
    if twice:
        out.contrast = np.asarray([1.0 - spearman(heatmaps[i], heatmaps[n + i]) for i in range(n)])
    return out
