"""The per-frame jobs: read the frame; crop the face and predict.

Requests are immutable snapshots built on the GUI thread; jobs are plain
functions (no widgets) so they can be timed and tested alone. Every result
says which video and frame it belongs to and how long each step took.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.live.context import JobContext
from painxai_gui.live.media import MediaPool


def elapsed_ms(start: float) -> float:
    """Milliseconds since ``start`` (a ``time.perf_counter()`` value)."""
    return (time.perf_counter() - start) * 1000.0


@dataclass(frozen=True)
class FrameRequest:
    video: VideoRecord
    frame: int
    playing: bool = False  # read ahead while playing


@dataclass(frozen=True)
class FrameResult:
    video_id: str
    frame: int
    image: np.ndarray
    frame_count: int
    decode_ms: float


def read_frame(pool: MediaPool, request: FrameRequest, ctx: JobContext) -> FrameResult:
    start = time.perf_counter()
    reader = pool.reader(request.video.path)
    image = reader.read(request.frame)
    if request.playing and request.frame + 1 < reader.frame_count and not reader.cached(request.frame + 1):
        reader.prefetch(request.frame + 1, int(request.video.fps * 2))
    return FrameResult(request.video.id, request.frame, image, int(reader.frame_count), elapsed_ms(start))


@dataclass(frozen=True)
class AnalysisRequest:
    video: VideoRecord
    frame: int
    predictor: Any  # Predictor or None (model not loaded yet)


@dataclass(frozen=True)
class Analysis:
    """Face and class probabilities of one frame (``probs`` None without a face or a model).

    ``forward``: the model's recorded forward pass of ``x``
    (:class:`painxai_gui.explain.forward.Forward`, read-only), from which the
    explanation docks start instead of running the model again; None when the
    engine cannot replay the model (then ``probs`` came from the Predictor).
    """

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
    forward: Any = None


def analyse(pool: MediaPool, request: AnalysisRequest, ctx: JobContext) -> Analysis:
    start = time.perf_counter()
    face = pool.face(request.video.path, request.frame)
    face_ms = elapsed_ms(start)
    if not face.ok:
        return Analysis(request.video.id, request.frame, False, reason=str(face.reason or "no face"),
                        face_ms=face_ms)
    box = tuple(float(v) for v in face.box)
    landmarks = getattr(face, "source_landmarks", None)
    probs = x = forward = None
    infer_ms = 0.0
    if request.predictor is not None and not ctx.cancelled():
        from painxai_gui.model import preprocess

        start = time.perf_counter()
        x = preprocess(face.crop, request.predictor.spec)[0]
        probs, forward = request.predictor.predict_recorded(x)
        infer_ms = elapsed_ms(start)
    return Analysis(request.video.id, request.frame, True, box=box, landmarks=landmarks, crop=face.crop,
                    crop_landmarks=getattr(face, "landmarks", None), x=x, probs=probs, face_ms=face_ms,
                    infer_ms=infer_ms, forward=forward)
