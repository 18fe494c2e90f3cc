"""One explanation dock's job: explain the analysed frame's face crop through the shared face path.

The work itself is :func:`painxai_gui.explain.face.explain_face` -- the same
function figure panels and ``painxai explain`` call -- fed with the crop, its
landmarks, the already preprocessed input of the frame's analysis and its
recorded forward pass (the docks do not run the model again).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from painxai_gui.explain.face import RegionStats
from painxai_gui.live.context import JobContext
from painxai_gui.live.frames import Analysis, elapsed_ms


@dataclass(frozen=True)
class ExplainRequest:
    """One explanation dock's job on one analysed frame."""

    analysis: Analysis
    model: Any                 # LoadedModel
    method: str
    target: str                # "predicted", "true" or a class name
    category: str | None       # the video's dataset category (for target "true")
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
    regions: RegionStats | None = None  # None: no face landmarks for this frame
    warnings: tuple[str, ...] = ()      # the engine's (e.g. exploded LRP relevance), shown in the dock


def explain_frame(request: ExplainRequest, ctx: JobContext) -> ExplainResult:
    from painxai_gui.explain.face import explain_face

    start = time.perf_counter()
    analysis = request.analysis
    face = explain_face(request.model, analysis.crop, analysis.crop_landmarks, request.method, request.options,
                        request.target, category=request.category, x=analysis.x, forward=analysis.forward,
                        progress=ctx.progress, cancel=ctx.cancelled)
    return ExplainResult(analysis.video_id, analysis.frame, analysis.crop, np.asarray(face.heatmap), face.signed,
                         face.target, face.target_kind, request.method, elapsed_ms(start), face.regions,
                         tuple(face.explanation.warnings))
