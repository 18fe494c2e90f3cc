"""The per-frame jobs the workers run: read the frame; crop the face and predict; explain.

Requests are immutable snapshots built on the GUI thread; jobs are plain
functions (no widgets) so they can be timed and tested alone. Every result
says which video and frame it belongs to and how long each step took.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from painxai_gui.gui.media import MediaPool
from painxai_gui.gui.session import VideoEntry
from painxai_gui.gui.workers import TaskContext


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


@dataclass(frozen=True)
class FrameRequest:
    video: VideoEntry
    frame: int
    playing: bool = False  # read ahead while playing


@dataclass(frozen=True)
class FrameResult:
    video_id: str
    frame: int
    image: np.ndarray
    frame_count: int
    decode_ms: float


def read_frame(pool: MediaPool, request: FrameRequest, ctx: TaskContext) -> FrameResult:
    start = time.perf_counter()
    reader = pool.reader(request.video.path)
    image = reader.read(request.frame)
    if request.playing and request.frame + 1 < reader.frame_count and not reader.cached(request.frame + 1):
        reader.prefetch(request.frame + 1, int(request.video.fps * 2))
    return FrameResult(request.video.id, request.frame, image, int(reader.frame_count), _ms(start))


@dataclass(frozen=True)
class AnalysisRequest:
    video: VideoEntry
    frame: int
    predictor: Any  # Predictor or None (model not loaded yet)


@dataclass(frozen=True)
class Analysis:
    """Face and class probabilities of one frame (``probs`` None without a face or a model)."""

    video_id: str
    frame: int
    ok: bool
    reason: str = ""
    box: tuple[float, float, float, float] | None = None
    landmarks: np.ndarray | None = None  # (68, 2) frame coordinates
    crop: np.ndarray | None = None       # (256, 256, 3) uint8
    crop_landmarks: np.ndarray | None = None  # (68, 2) crop coordinates
    x: np.ndarray | None = None          # preprocessed crop, model input
    probs: np.ndarray | None = None
    face_ms: float = 0.0
    infer_ms: float = 0.0


def analyse(pool: MediaPool, request: AnalysisRequest, ctx: TaskContext) -> Analysis:
    start = time.perf_counter()
    face = pool.face(request.video.path, request.frame)
    face_ms = _ms(start)
    if not face.ok:
        return Analysis(request.video.id, request.frame, False, reason=str(face.reason or "no face"),
                        face_ms=face_ms)
    box = tuple(float(v) for v in face.box)
    landmarks = getattr(face, "source_landmarks", None)
    probs = x = None
    infer_ms = 0.0
    if request.predictor is not None and not ctx.cancelled():
        from painxai_gui.model import preprocess

        start = time.perf_counter()
        x = preprocess(face.crop, request.predictor.spec)[0]
        probs = request.predictor.predict_preprocessed(x[None])[0]
        infer_ms = _ms(start)
    return Analysis(request.video.id, request.frame, True, box=box, landmarks=landmarks, crop=face.crop,
                    crop_landmarks=getattr(face, "landmarks", None), x=x, probs=probs, face_ms=face_ms,
                    infer_ms=infer_ms)


@dataclass(frozen=True)
class ExplainRequest:
    """One explanation dock's job on one analysed frame."""

    analysis: Analysis
    model: Any                 # LoadedModel
    method: str
    target: str                # "predicted", "true" or a class name
    true_index: int | None
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ExplainResult:
    video_id: str
    frame: int
    crop: np.ndarray
    heatmap: np.ndarray
    signed: bool
    target: int
    target_kind: str
    method: str
    ms: float
    regions: "RegionStats | None" = None  # None: no face landmarks for this frame


REGION_ORDER = ("brows", "eyes", "nose", "mouth", "cheeks", "forehead", "jaw", "other")


@dataclass(frozen=True)
class RegionStats:
    """Relevance per facial region of one heatmap, in :data:`REGION_ORDER`.

    ``share``: the region's share of all positive relevance (they add up to 1
    when there is any, since the regions plus ``other`` tile the image);
    ``signed_sum``: the sum of the signed heatmap over the region (None for
    unsigned methods).
    """

    names: tuple[str, ...]
    share: tuple[float, ...]
    signed_sum: tuple[float, ...] | None


def heatmap_region_masks(crop_landmarks: np.ndarray, crop_size: int, heat_hw: tuple[int, int]) -> dict[str, np.ndarray]:
    """Boolean region masks at the heatmap's size, ``other`` included (pixels in no facial region).

    ``region_masks`` draws square masks from landmarks in its own pixel frame,
    so the crop landmarks are scaled by ``heatmap_size / crop_size``; a
    non-square heatmap gets crop-size masks resized (nearest) instead.
    """
    import cv2

    from painxai_gui.face.regions import region_masks

    h, w = heat_hw
    lm = np.asarray(crop_landmarks, np.float64).reshape(68, 2)
    if h == w:
        masks = region_masks(lm * (h / float(crop_size)), size=h)
    else:
        big = region_masks(lm, size=int(crop_size))
        masks = {k: cv2.resize(m.astype(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST).astype(bool)
                 for k, m in big.items()}
    masks["other"] = ~np.logical_or.reduce(list(masks.values()))
    return masks


def region_stats(heatmap: np.ndarray, crop_landmarks: np.ndarray | None, crop_size: int,
                 signed: bool) -> RegionStats | None:
    """The numbers under a dock's heatmap (runs in the explanation worker); None without landmarks."""
    from painxai_gui.explain.metrics import region_relevance

    if crop_landmarks is None:
        return None
    heatmap = np.asarray(heatmap, np.float64)
    masks = heatmap_region_masks(crop_landmarks, crop_size, heatmap.shape[:2])
    share = region_relevance(heatmap, masks, measure="share")
    sums = tuple(float(heatmap[masks[n]].sum()) for n in REGION_ORDER) if signed else None
    return RegionStats(REGION_ORDER, tuple(share[n] for n in REGION_ORDER), sums)


def target_for(request: ExplainRequest):
    """The engine's Target for the dock's choice (raises ExplainError if the true class is unknown)."""
    from painxai_gui.errors import ExplainError
    from painxai_gui.explain.base import Target

    names = tuple(request.model.spec.class_names)
    if request.target == "predicted":
        return Target.predicted()
    if request.target == "true":
        if request.true_index is None:
            raise ExplainError("this video's true label is not one of the model's classes "
                               f"({', '.join(names)}); choose 'predicted' or a class")
        return Target.true(request.true_index)
    if request.target not in names:
        raise ExplainError(f"class {request.target!r} is not one of the model's classes ({', '.join(names)})")
    return Target.of_class(names.index(request.target))


def region_segments(analysis: Analysis, input_hw: tuple[int, int]) -> np.ndarray:
    """Facial-landmark regions of the crop (same regions in every face) at the model's input size."""
    import cv2

    from painxai_gui.face.regions import region_labels

    size = analysis.crop.shape[0]
    labels = region_labels(analysis.crop_landmarks, size=size)
    return cv2.resize(labels, (input_hw[1], input_hw[0]), interpolation=cv2.INTER_NEAREST)


def explain_frame(request: ExplainRequest, ctx: TaskContext) -> ExplainResult:
    from painxai_gui.explain import METHODS, explain

    start = time.perf_counter()
    extras = {}
    if (request.options.get("segmentation") == "precomputed" and "segments" in METHODS[request.method].hooks
            and request.analysis.crop_landmarks is not None):
        extras["segments"] = region_segments(request.analysis, request.analysis.x.shape[:2])
    result = explain(request.model.model, request.analysis.x, request.method, target_for(request),
                     progress=ctx.progress, cancel=ctx.cancelled, **extras, **request.options)
    heatmap = np.asarray(result.heatmap)
    analysis = request.analysis
    regions = region_stats(heatmap, analysis.crop_landmarks, analysis.crop.shape[0], bool(result.signed))
    return ExplainResult(analysis.video_id, analysis.frame, analysis.crop, heatmap, bool(result.signed),
                         int(result.target), str(getattr(result, "target_kind", "class")), request.method,
                         _ms(start), regions)
