"""Explain one face crop: the one path shared by the explanation docks, figure panels and `painxai explain`.

* :func:`resolve_target` -- a target spec ("predicted", "true", a class name
  or an index) -> the engine's :class:`Target`; "true" maps the image's
  dataset category to a model class by :func:`class_index` (exact,
  case-insensitive or an alias such as happiness -> happy).
* :func:`region_label_map` -- the facial regions of the crop's 68 landmarks at
  any map size (square or not). The same map gives the region masks behind
  :func:`region_stats` and LIME's facial-region segments
  (``segmentation="precomputed"``).
* :func:`explain_face` -- crop + landmarks + model + method + options +
  target spec -> :class:`FaceExplanation` (the engine's explanation, the
  relevance per facial region, the explained class); :func:`explain_faces`
  does the same for many crops in one batched engine call (the region
  timeline, ``painxai study``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from painxai_gui.errors import ExplainError
from painxai_gui.face.regions import region_labels, region_names

from .base import Explanation, Target

#: the regions every table and record lists, in this order ("other": pixels in no facial region)
REGION_ORDER: tuple[str, ...] = (*region_names(), "other")

#: model class names that mean the same as a dataset category
CATEGORY_ALIASES: dict[str, tuple[str, ...]] = {
    "happiness": ("happy",), "happy": ("happiness",), "pain": ("pain",), "disgust": ("disgust", "disgusted"),
}


# --------------------------------------------------------------------- target
def class_index(category: str | None, class_names: Sequence[str]) -> int | None:
    """The model's class for a dataset category (exact, case-insensitive, or a known alias); None if absent."""
    if not category:
        return None
    lowered = [c.lower() for c in class_names]
    for name in (category.lower(), *CATEGORY_ALIASES.get(category.lower(), ())):
        if name in lowered:
            return lowered.index(name)
    return None


def resolve_target(spec: str | int | None, class_names: Sequence[str], category: str | None = None) -> Target:
    """``"predicted"`` / None, ``"true"`` (the image's ``category``), a class name or an index -> Target."""
    names = tuple(class_names)
    listed = ", ".join(names)
    if spec is None or spec == "predicted":
        return Target.predicted()
    if spec == "true":
        k = class_index(category, names)
        if k is None:
            if not category:
                raise ExplainError("target 'true' needs the image's dataset category, and it has none; "
                                   "choose 'predicted' or a class")
            raise ExplainError(f"the true category {category!r} is not one of the model's classes ({listed}) "
                               "nor an alias of one; choose 'predicted' or a class")
        return Target.true(k)
    if isinstance(spec, (int, np.integer)) or (isinstance(spec, str) and spec.strip().isdigit()):
        index = int(spec)
        if not 0 <= index < len(names):
            raise ExplainError(f"target index {index} is out of range for {len(names)} classes ({listed})")
        return Target.of_class(index)
    k = class_index(str(spec), names)
    if k is None:
        raise ExplainError(f"target class {spec!r} is not one of the model's classes ({listed}); "
                           "use predicted, true, a class name or an index")
    return Target.of_class(k)


# -------------------------------------------------------------------- regions
@dataclass(frozen=True)
class RegionStats:
    """Relevance per facial region of one heatmap, in :data:`REGION_ORDER`.

    ``share``: the region's share of all positive relevance (they add up to 1
    when there is any, since the regions plus ``other`` tile the map);
    ``signed_sum``: the sum of the signed heatmap over the region (None for
    unsigned methods); ``density``: share over the region's share of the area
    (1 = as much relevance as its size), so large regions do not win by size.

    Regions are drawn at the heatmap's own size (landmarks scaled), never by
    resampling the heatmap: signed sums stay in the relevance's units (with
    LRP-Z they add up to the explained logit).
    """

    names: tuple[str, ...]
    share: tuple[float, ...]
    signed_sum: tuple[float, ...] | None
    density: tuple[float, ...] = ()

    def shares(self) -> dict[str, float]:
        return dict(zip(self.names, self.share))

    def densities(self) -> dict[str, float]:
        return dict(zip(self.names, self.density))

    def sums(self) -> dict[str, float] | None:
        return None if self.signed_sum is None else dict(zip(self.names, self.signed_sum))


def region_label_map(landmarks: np.ndarray, crop_hw: tuple[int, int], hw: tuple[int, int]) -> np.ndarray:
    """Facial-region labels of a crop at map size ``hw``: 0 = other, k = ``region_names()[k - 1]``.

    ``landmarks`` are the crop's 68 points in crop pixels (crop size
    ``crop_hw``). A square crop and square map: the regions are drawn at the
    map's size from the landmarks scaled by ``map / crop``; otherwise they are
    drawn at crop size and resized (nearest).
    """
    import cv2

    lm = np.asarray(landmarks, np.float64).reshape(68, 2)
    (ch, cw), (h, w) = (int(crop_hw[0]), int(crop_hw[1])), (int(hw[0]), int(hw[1]))
    if ch == cw and h == w:
        return region_labels(lm * (h / float(ch)), size=h)
    big = region_labels(lm, size=max(ch, cw))[:ch, :cw]
    return cv2.resize(big, (w, h), interpolation=cv2.INTER_NEAREST)


def region_masks_at(landmarks: np.ndarray, crop_hw: tuple[int, int], hw: tuple[int, int]) -> dict[str, np.ndarray]:
    """Disjoint boolean masks by name in :data:`REGION_ORDER` (``other`` included) at map size ``hw``."""
    labels = region_label_map(landmarks, crop_hw, hw)
    return {name: labels == (k + 1 if name != "other" else 0) for k, name in enumerate(REGION_ORDER)}


def region_stats(heatmap: np.ndarray, landmarks: np.ndarray | None, crop_hw: tuple[int, int] | int,
                 signed: bool) -> RegionStats | None:
    """Shares of positive relevance (and signed sums for signed methods) per region; None without landmarks."""
    from .metrics import region_relevance

    if landmarks is None:
        return None
    crop_hw = (crop_hw, crop_hw) if isinstance(crop_hw, (int, np.integer)) else crop_hw
    heatmap = np.asarray(heatmap, np.float64)
    masks = region_masks_at(landmarks, crop_hw, heatmap.shape[:2])
    share = region_relevance(heatmap, masks, measure="share")
    density = region_relevance(heatmap, masks, measure="density")
    sums = tuple(float(heatmap[masks[n]].sum()) for n in REGION_ORDER) if signed else None
    return RegionStats(REGION_ORDER, tuple(share[n] for n in REGION_ORDER), sums,
                       tuple(density[n] for n in REGION_ORDER))


# -------------------------------------------------------------------- explain
@dataclass(frozen=True, eq=False)
class FaceExplanation:
    """One method on one face crop: the engine's result, its regions, the class explained."""

    explanation: Explanation
    regions: RegionStats | None  # None: no landmarks for this crop
    class_name: str

    @property
    def heatmap(self) -> np.ndarray:
        return self.explanation.heatmap

    @property
    def signed(self) -> bool:
        return bool(self.explanation.signed)

    @property
    def target(self) -> int:
        return int(self.explanation.target)

    @property
    def target_kind(self) -> str:
        return str(self.explanation.target_kind)


def explain_face(model: Any, crop: np.ndarray, landmarks: np.ndarray | None, method: str,
                 options: Mapping[str, Any] | None = None, target: str | int | None = "predicted", *,
                 category: str | None = None, x: np.ndarray | None = None, forward: Any = None,
                 progress: Callable[[int, int], Any] | None = None,
                 cancel: Callable[[], bool] | None = None) -> FaceExplanation:
    """Explain ``crop`` (uint8 RGB face crop) with ``method`` for the ``target`` spec.

    ``model``: a loaded model (``painxai_gui.model.load_model``; its spec
    gives the class names and the preprocessing) or a model file path.
    ``landmarks``: the crop's 68 points in crop pixels, or None (no region
    shares, no facial-region segments). ``category``: the image's dataset
    category, for target "true". ``x``: the crop already preprocessed, when
    the caller has it; ``forward``: its recorded forward pass
    (:func:`painxai_gui.explain.api.record_forward`), when the caller has it.
    ``progress`` / ``cancel``: the engine's hooks.
    """
    return explain_faces(model, [crop], [landmarks], method, options, [target], categories=[category],
                         xs=None if x is None else np.asarray(x)[None], forward=forward, progress=progress,
                         cancel=cancel)[0]


def explain_faces(model: Any, crops: Sequence[np.ndarray] | np.ndarray, landmarks: Sequence[np.ndarray | None],
                  method: str, options: Mapping[str, Any] | None = None, targets: Any = "predicted", *,
                  categories: Any = None, xs: np.ndarray | None = None, forward: Any = None,
                  progress: Callable[[int, int], Any] | None = None,
                  cancel: Callable[[], bool] | None = None) -> list[FaceExplanation]:
    """Many face crops at once, each explained as :func:`explain_face` explains one: one batched engine call.

    ``targets`` and ``categories``: one value for every crop, or a sequence
    with one per crop. ``landmarks``: one (68, 2) array per crop, or None /
    NaN rows for crops without (no regions). ``xs``: the crops already
    preprocessed (N x H x W x C); ``forward``: their recorded forward pass
    (ignored unless it is of exactly these inputs and this model). LIME on
    facial-region segments runs crop by crop, since every face has its own segments.
    """
    from .api import explain, explain_batch, get_method

    loaded = _loaded(model)
    names = tuple(loaded.spec.class_names)
    n = len(crops)
    wanted = [resolve_target(t, names, c) for t, c in zip(_per_crop(targets, n), _per_crop(categories, n))]
    if xs is None:
        from painxai_gui.model import preprocess

        xs = preprocess(np.stack([np.asarray(c) for c in crops]), loaded.spec)
    marks = [None if lm is None or not np.isfinite(lm).all() else np.asarray(lm) for lm in landmarks]
    options = dict(options or {})
    hooks = {k: v for k, v in (("progress", progress), ("cancel", cancel)) if v is not None}
    if forward is not None:
        hooks["forward"] = forward
    if options.get("segmentation") == "precomputed" and "segments" in get_method(method).hooks:
        results = []
        for crop, lm, x, k in zip(crops, marks, xs, wanted):
            if lm is None:
                raise ExplainError(f"{method}: facial-region segments need the face's 68 landmarks, "
                                   "and this image has none (no face found)")
            segments = region_label_map(lm, np.asarray(crop).shape[:2], x.shape[:2])
            results.append(explain(loaded.model, x, method, k, segments=segments, **hooks, **options))
    else:
        results = explain_batch(loaded.model, xs, method, wanted, **hooks, **options)
    out = []
    for crop, lm, result in zip(crops, marks, results):
        if not np.isfinite(result.heatmap).all():
            raise ExplainError(f"{method} produced NaN or infinite values")
        regions = region_stats(result.heatmap, lm, np.asarray(crop).shape[:2], bool(result.signed))
        out.append(FaceExplanation(result, regions, names[int(result.target)]))
    return out


def _per_crop(value: Any, n: int) -> list[Any]:
    """One value for every crop, or already one per crop."""
    if isinstance(value, (list, tuple, np.ndarray)):
        if len(value) != n:
            raise ExplainError(f"{len(value)} targets or categories for {n} crops")
        return [v.item() if isinstance(v, np.generic) else v for v in value]
    return [value] * n


def _loaded(model: Any) -> Any:
    """A loaded model with its spec (a path is loaded)."""
    from pathlib import Path

    if isinstance(model, (str, Path)):
        from painxai_gui.model import load_model

        return load_model(model)
    if getattr(model, "spec", None) is None or getattr(model, "model", None) is None:
        raise ExplainError(f"explain_face needs a loaded model with its spec (painxai_gui.model.load_model), "
                           f"got a {type(model).__name__}")
    return model
