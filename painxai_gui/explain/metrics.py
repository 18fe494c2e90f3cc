"""Numbers, not only pictures: faithfulness curves and relevance per facial region.

* :func:`deletion` / :func:`insertion` -- pixels are removed from the input
  (set to ``fill``), or inserted into an all-``fill`` image, in heatmap order
  (most relevant first) in ``steps`` equal steps; the curve is the target's
  probability (or logit) after each step, its AUC the trapezoid area over the
  removed/inserted fraction. A faithful heatmap gives a low deletion AUC and a
  high insertion AUC. All ``steps + 1`` images go through the compiled forward
  pass in batches.
* :func:`region_relevance` -- sum or share of the *positive* relevance inside
  named masks (brows, eyes, nose, mouth ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from painxai_gui.errors import ExplainError

from .api import _check_inputs, resolve_model
from .base import Explanation, Target
from .context import context_for


@dataclass(frozen=True, eq=False)
class Curve:
    """One faithfulness curve: ``scores[k]`` after ``fractions[k]`` of the pixels changed."""

    kind: str  # "deletion" | "insertion"
    fractions: np.ndarray
    scores: np.ndarray
    auc: float
    target: int
    output: str  # "probability" | "logit"


def pixel_order(heatmap: np.ndarray) -> np.ndarray:
    """Flat pixel indices, most relevant first (ties: row-major order)."""
    return np.argsort(-np.asarray(heatmap, np.float64).ravel(), kind="stable")


def _curve(kind: str, model: Any, x: np.ndarray, heatmap: Any, target: Target | int | None, steps: int,
           fill: float, output: str, batch_size: int) -> Curve:
    if isinstance(heatmap, Explanation):
        target = heatmap.target if target is None else target
        heatmap = heatmap.heatmap
    if steps < 1:
        raise ExplainError(f"{kind}: steps must be >= 1, got {steps}")
    if output not in ("probability", "logit"):
        raise ExplainError(f"{kind}: output must be 'probability' or 'logit', got {output!r}")
    ctx = context_for(resolve_model(model))
    x = _check_inputs(np.asarray(x)[None], ctx.input_shape)[0]
    h, w, _ = ctx.input_shape
    heatmap = np.asarray(heatmap)
    if heatmap.shape != (h, w):
        raise ExplainError(f"{kind}: heatmap must be {h} x {w}, got {heatmap.shape}")
    order = pixel_order(heatmap)
    counts = np.round(np.arange(steps + 1) * (h * w) / steps).astype(int)
    start, source = (x, np.full_like(x, fill)) if kind == "deletion" else (np.full_like(x, fill), x)
    images = np.repeat(start[None], steps + 1, axis=0).reshape(steps + 1, h * w, -1)
    flat_source = source.reshape(h * w, -1)
    for k, n in enumerate(counts):
        images[k, order[:n]] = flat_source[order[:n]]
    logits = ctx.logits(images.reshape(steps + 1, h, w, -1), batch_size)
    code = Target.coerce(target).code(ctx.graph.num_classes)
    unchanged = logits[0] if kind == "deletion" else logits[-1]  # the image equal to x
    t = int(np.argmax(unchanged)) if code < 0 else code
    scores = logits.astype(np.float64)
    if output == "probability":
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
    scores = scores[:, t]
    fractions = counts / (h * w)
    return Curve(kind, fractions, scores, float(np.trapezoid(scores, fractions)), t, output)


def deletion(model: Any, x: np.ndarray, heatmap: Any, target: Target | int | None = None, *, steps: int = 20,
             fill: float = 0.0, output: str = "probability", batch_size: int = 32) -> Curve:
    """Deletion curve: remove the most relevant pixels first (``heatmap`` may be an Explanation)."""
    return _curve("deletion", model, x, heatmap, target, steps, fill, output, batch_size)


def insertion(model: Any, x: np.ndarray, heatmap: Any, target: Target | int | None = None, *, steps: int = 20,
              fill: float = 0.0, output: str = "probability", batch_size: int = 32) -> Curve:
    """Insertion curve: insert the most relevant pixels first into an all-``fill`` image."""
    return _curve("insertion", model, x, heatmap, target, steps, fill, output, batch_size)


def region_relevance(heatmap: np.ndarray, masks: Mapping[str, np.ndarray], measure: str = "share") -> dict[str, float]:
    """Positive relevance per region: its ``sum``, or its ``share`` of all positive relevance.

    Masks are boolean H x W arrays and may overlap (shares then add up to more
    than 1) or leave pixels out (less than 1). With no positive relevance at
    all every share is 0.
    """
    if measure not in ("share", "sum"):
        raise ExplainError(f"region_relevance: measure must be 'share' or 'sum', got {measure!r}")
    heatmap = np.asarray(heatmap, np.float64)
    if heatmap.ndim != 2:
        raise ExplainError(f"region_relevance: heatmap must be 2-D, got shape {heatmap.shape}")
    positive = np.maximum(heatmap, 0.0)
    total = positive.sum()
    out: dict[str, float] = {}
    for name, mask in masks.items():
        mask = np.asarray(mask)
        if mask.shape != heatmap.shape or mask.dtype != bool:
            raise ExplainError(f"region_relevance: mask {name!r} must be a boolean {heatmap.shape} array, got {mask.dtype} {mask.shape}")
        value = float(positive[mask].sum())
        out[name] = value if measure == "sum" else (value / total if total > 0 else 0.0)
    return out
