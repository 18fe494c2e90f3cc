"""THE per-image explanation step of a study: explain a batch of face crops, measure their regions.

This is the study's one seam to the shared "explain a face crop" path: a
shard calls :func:`explain_faces` and nothing else explains or measures
regions. It is built on the engine's ``explain_batch`` and on
:func:`painxai_gui.face.regions.region_labels` /
:func:`painxai_gui.explain.metrics.region_relevance`; when the app's single
face function lands, only this module changes.

Region measures follow ``docs/study.md``: the method's heatmap is resized to
the crop, the crop's 68 landmarks give disjoint regions (brows ... jaw) plus
``other``; per region the positive ``share``, the ``density`` (share / area
share) and, for signed methods, the ``signed`` sum. Class contrast is 1 -
Spearman correlation of the map for the target and for the runner-up class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

REGION_MEASURES = ("share", "density", "signed")


def region_columns() -> tuple[str, ...]:
    """Region names incl. ``other``, in table order."""
    from painxai_gui.face.regions import region_names

    return (*region_names(), "other")


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


def region_masks_for(landmarks: np.ndarray, size: int) -> dict[str, np.ndarray] | None:
    """Disjoint region masks incl. ``other`` at ``size`` x ``size`` (None without landmarks)."""
    from painxai_gui.face.regions import region_labels, region_names

    if landmarks is None or not np.isfinite(landmarks).all():
        return None
    labels = region_labels(landmarks, size=size)
    masks = {name: labels == k + 1 for k, name in enumerate(region_names())}
    masks["other"] = labels == 0
    return masks


def region_measures(heatmap: np.ndarray, landmarks: np.ndarray | None, crop_size: int,
                    signed: bool) -> dict[str, float]:
    """``share_r``, ``density_r`` and ``signed_r`` (NaN for unsigned methods) of one heatmap."""
    import cv2

    from painxai_gui.explain.metrics import region_relevance

    names = region_columns()
    masks = region_masks_for(landmarks, crop_size)
    if masks is None:
        return {f"{m}_{r}": float("nan") for m in REGION_MEASURES for r in names}
    resized = cv2.resize(np.asarray(heatmap, np.float32), (crop_size, crop_size), interpolation=cv2.INTER_LINEAR)
    out: dict[str, float] = {}
    for measure in REGION_MEASURES:
        if measure == "signed" and not signed:
            out.update({f"signed_{r}": float("nan") for r in names})
            continue
        out.update({f"{measure}_{r}": v for r, v in region_relevance(resized, masks, measure).items()})
    return out


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation of two maps over their pixels (NaN when either is constant)."""
    from scipy.stats import spearmanr

    a, b = np.ravel(a).astype(np.float64), np.ravel(b).astype(np.float64)
    if np.ptp(a) == 0 or np.ptp(b) == 0:
        return float("nan")
    return float(spearmanr(a, b).statistic)


def explain_faces(model: Any, xs: np.ndarray, landmarks: np.ndarray, crop_size: int, method: str,
                  targets: Sequence[int], runner_up: Sequence[int] | None = None,
                  options: dict[str, Any] | None = None) -> FaceExplanations:
    """Explain preprocessed crops ``xs`` for ``targets``; regions from ``landmarks`` (N x 68 x 2, crop px).

    With ``runner_up`` the method also explains that class on the same
    images (one batch) and the class contrast is filled in.
    """
    from painxai_gui.explain import METHODS, explain_batch

    options = dict(options or {})
    n = len(xs)
    wanted = [int(t) for t in targets] + ([int(t) for t in runner_up] if runner_up is not None else [])
    batch = np.concatenate([xs, xs]) if runner_up is not None else xs
    results = explain_batch(model, batch, method, wanted, **options)
    heatmaps = np.stack([np.asarray(r.heatmap, np.float32) for r in results])
    signed = bool(METHODS[method].signed)
    rows = [region_measures(heatmaps[i], landmarks[i], crop_size, signed) for i in range(n)]
    out = FaceExplanations(method, signed, dict(results[0].options) if results else {},
                           np.asarray([r.target for r in results[:n]], np.int64), heatmaps[:n])
    out.regions = {key: np.asarray([r[key] for r in rows], np.float64) for key in (rows[0] if rows else {})}
    if runner_up is not None:
        out.contrast = np.asarray([1.0 - spearman(heatmaps[i], heatmaps[n + i]) for i in range(n)])
    return out
