"""Numbers, not only pictures: faithfulness curves and relevance per facial region.

* :func:`deletion` / :func:`insertion` -- pixels are removed from the input
  (replaced by ``fill``: a value, or a baseline image such as
  :func:`blurred_baseline`), or inserted into the baseline, in heatmap order
  (most relevant first; ties by index) in ``steps`` equal steps; the curve is
  the target's probability (or logit) after each step, its AUC the trapezoid
  area over the removed/inserted fraction. A faithful heatmap gives a low
  deletion AUC and a high insertion AUC. All ``steps + 1`` images go through
  the compiled forward pass in batches. :func:`curve_aucs` does the same for
  many (image, ranking) pairs in one stream of forward batches (the study);
  :func:`random_orders` gives the seeded random rankings of the random-map
  baseline (Petsiuk et al., 2018; definitions in ``docs/study.md``).
* :func:`region_relevance` -- per named mask (brows, eyes, nose, mouth ...):
  the *positive* relevance's ``sum`` or ``share``, the ``density`` (share /
  area share) or the ``signed`` sum of the heatmap.
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


def _baseline(fill: float | np.ndarray, x: np.ndarray, kind: str) -> np.ndarray:
    """``fill`` as an image like ``x``: a value everywhere, or a baseline image of x's shape."""
    if np.ndim(fill) == 0:
        return np.full_like(x, float(fill))
    fill = np.asarray(fill, np.float32)
    if fill.shape != x.shape:
        raise ExplainError(f"{kind}: the baseline image must have the input's shape {x.shape}, got {fill.shape}")
    return fill


def step_counts(n_pixels: int, steps: int) -> np.ndarray:
    """How many pixels are changed at each of the ``steps + 1`` points of a curve."""
    return np.round(np.arange(steps + 1) * n_pixels / steps).astype(int)


def _step_images(kind: str, x: np.ndarray, baseline: np.ndarray, order: np.ndarray, counts: np.ndarray):
    """The ``len(counts)`` images of one curve, one after the other (flat H*W x C)."""
    start, source = (x, baseline) if kind == "deletion" else (baseline, x)
    flat_start, flat_source = start.reshape(len(order), -1), source.reshape(len(order), -1)
    for n in counts:
        image = flat_start.copy()
        image[order[:n]] = flat_source[order[:n]]
        yield image


def _scores(logits: np.ndarray, output: str) -> np.ndarray:
    scores = logits.astype(np.float64)
    if output == "probability":
        scores = np.exp(scores - scores.max(axis=1, keepdims=True))
        scores /= scores.sum(axis=1, keepdims=True)
    return scores


def _check_curve_args(kind: str, steps: int, output: str) -> None:
    if kind not in ("deletion", "insertion"):
        raise ExplainError(f"curve kind must be 'deletion' or 'insertion', got {kind!r}")
    if steps < 1:
        raise ExplainError(f"{kind}: steps must be >= 1, got {steps}")
    if output not in ("probability", "logit"):
        raise ExplainError(f"{kind}: output must be 'probability' or 'logit', got {output!r}")


def _curve(kind: str, model: Any, x: np.ndarray, heatmap: Any, target: Target | int | None, steps: int,
           fill: float | np.ndarray, output: str, batch_size: int) -> Curve:
    if isinstance(heatmap, Explanation):
        target = heatmap.target if target is None else target
        heatmap = heatmap.heatmap
    _check_curve_args(kind, steps, output)
    ctx = context_for(resolve_model(model))
    x = _check_inputs(np.asarray(x)[None], ctx.input_shape)[0]
    h, w, _ = ctx.input_shape
    heatmap = np.asarray(heatmap)
    if heatmap.shape != (h, w):
        raise ExplainError(f"{kind}: heatmap must be {h} x {w}, got {heatmap.shape}")
    counts = step_counts(h * w, steps)
    images = np.stack(list(_step_images(kind, x, _baseline(fill, x, kind), pixel_order(heatmap), counts)))
    logits = ctx.logits(images.reshape(steps + 1, h, w, -1), batch_size)
    code = Target.coerce(target).code(ctx.graph.num_classes)
    unchanged = logits[0] if kind == "deletion" else logits[-1]  # the image equal to x
    t = int(np.argmax(unchanged)) if code < 0 else code
    scores = _scores(logits, output)[:, t]
    fractions = counts / (h * w)
    return Curve(kind, fractions, scores, float(np.trapezoid(scores, fractions)), t, output)


def curve_aucs(model: Any, xs: np.ndarray, orders: np.ndarray, targets: Any, kind: str, *, steps: int = 20,
               baselines: np.ndarray | float = 0.0, output: str = "probability",
               batch_size: int = 32) -> np.ndarray:
    """AUCs of many curves in one stream of forward batches (the study's faithfulness measure).

    Curve ``i`` changes input ``xs[i]`` in pixel order ``orders[i]`` (flat
    indices, most relevant first: :func:`pixel_order` of a heatmap, or a row
    of :func:`random_orders`) towards/from ``baselines[i]`` (an image per
    input, or one value) and scores class ``targets[i]`` (resolved ints).
    Equal to ``deletion(...).auc`` / ``insertion(...).auc`` curve by curve.
    """
    _check_curve_args(kind, steps, output)
    ctx = context_for(resolve_model(model))
    xs = _check_inputs(xs, ctx.input_shape)
    h, w, c = ctx.input_shape
    orders, targets = np.asarray(orders), np.asarray(targets, np.int64)
    if orders.shape != (len(xs), h * w) or targets.shape != (len(xs),):
        raise ExplainError(f"{kind}: need one order of {h * w} pixels and one target per input")
    if np.ndim(baselines) == 0:
        baselines = np.full_like(xs, float(baselines))
    counts = step_counts(h * w, steps)
    fractions = counts / (h * w)
    stream = (img for i in range(len(xs)) for img in _step_images(kind, xs[i], baselines[i], orders[i], counts))
    rows = len(xs) * (steps + 1)
    scores = np.empty(rows, np.float64)
    done = 0
    while done < rows:
        n = min(batch_size, rows - done)
        batch = np.stack([next(stream) for _ in range(n)]).reshape(n, h, w, c)
        chosen = np.repeat(targets, steps + 1)[done:done + n]
        scores[done:done + n] = _scores(ctx.logits(batch, batch_size), output)[np.arange(n), chosen]
        done += n
    return np.trapezoid(scores.reshape(len(xs), steps + 1), fractions, axis=1)


def random_orders(n_pixels: int, draws: int = 3, seed: int = 0) -> np.ndarray:
    """``draws`` uniformly random pixel rankings (``draws x n_pixels``), seeded: the random-map baseline."""
    return np.stack([np.random.default_rng([seed, d]).permutation(n_pixels) for d in range(draws)])


def blurred_baseline(x: np.ndarray, sigma_fraction: float = 0.1) -> np.ndarray:
    """``x`` (H x W x C) blurred with a Gaussian of sigma = ``sigma_fraction`` x its side (border: reflect)."""
    import cv2

    x = np.asarray(x, np.float32)
    sigma = float(sigma_fraction) * max(x.shape[:2])
    if sigma <= 0:
        return x.copy()
    blurred = cv2.GaussianBlur(x, (0, 0), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)
    return blurred.reshape(x.shape)


def mean_colour_baseline(x: np.ndarray) -> np.ndarray:
    """``x`` replaced by its mean colour (per channel): the other baseline of the study."""
    x = np.asarray(x, np.float32)
    return np.broadcast_to(x.reshape(-1, x.shape[-1]).mean(axis=0), x.shape).astype(np.float32)


def deletion(model: Any, x: np.ndarray, heatmap: Any, target: Target | int | None = None, *, steps: int = 20,
             fill: float | np.ndarray = 0.0, output: str = "probability", batch_size: int = 32) -> Curve:
    """Deletion curve: remove the most relevant pixels first (``heatmap`` may be an Explanation)."""
    return _curve("deletion", model, x, heatmap, target, steps, fill, output, batch_size)


def insertion(model: Any, x: np.ndarray, heatmap: Any, target: Target | int | None = None, *, steps: int = 20,
              fill: float | np.ndarray = 0.0, output: str = "probability", batch_size: int = 32) -> Curve:
    """Insertion curve: insert the most relevant pixels first into an all-``fill`` image."""
    return _curve("insertion", model, x, heatmap, target, steps, fill, output, batch_size)


MEASURES = ("share", "sum", "density", "signed")


def region_relevance(heatmap: np.ndarray, masks: Mapping[str, np.ndarray], measure: str = "share") -> dict[str, float]:
    """Relevance per region, one of :data:`MEASURES`.

    ``sum``: positive relevance (``max(h, 0)``) inside the region; ``share``:
    that over all positive relevance in the map; ``density``: the share over
    the region's area share (1 = as much relevance as its size; 0 for an
    empty region); ``signed``: the plain sum of ``h`` inside the region.
    Masks are boolean H x W arrays and may overlap (shares then add up to more
    than 1) or leave pixels out (less than 1). With no positive relevance at
    all every share and density is 0.
    """
    if measure not in MEASURES:
        raise ExplainError(f"region_relevance: measure must be one of {', '.join(MEASURES)}, got {measure!r}")
    heatmap = np.asarray(heatmap, np.float64)
    if heatmap.ndim != 2:
        raise ExplainError(f"region_relevance: heatmap must be 2-D, got shape {heatmap.shape}")
    values = heatmap if measure == "signed" else np.maximum(heatmap, 0.0)
    total = values.sum()
    out: dict[str, float] = {}
    for name, mask in masks.items():
        mask = np.asarray(mask)
        if mask.shape != heatmap.shape or mask.dtype != bool:
            raise ExplainError(f"region_relevance: mask {name!r} must be a boolean {heatmap.shape} array, got {mask.dtype} {mask.shape}")
        value = float(values[mask].sum())
        if measure in ("share", "density"):
            value = value / total if total > 0 else 0.0
        if measure == "density":
            area = mask.mean()
            value = value / area if area > 0 else 0.0
        out[name] = value
    return out
