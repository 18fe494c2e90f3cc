"""Where the model looks over time: the share of positive relevance per facial region, every frame of a video.

One array ``(frames, 8)`` (regions in :data:`~painxai_gui.explain.face.REGION_ORDER`:
brows, eyes, nose, mouth, cheeks, forehead, jaw, other) per (model, method,
options, target, video) in the :class:`TimelineCache` (NaN: not computed, -1:
no face). Frames come through the pipelined pass of
:mod:`painxai_gui.live.video_pass` (landmarks from the FaceTrack cache);
each batch of face crops is explained in one engine call
(:func:`painxai_gui.explain.explain_batch`) and each heatmap goes through the
face path's one region computation, :func:`painxai_gui.explain.face.region_stats`
-- exactly what :func:`~painxai_gui.explain.face.explain_face` does for one
crop (a test holds the two equal). Methods that need per-face inputs (LIME on
facial-region segments) call ``explain_face`` per frame.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.explain.face import REGION_ORDER, RegionStats
from painxai_gui.live.context import JobContext
from painxai_gui.live.media import MediaPool
from painxai_gui.live.timeline_cache import NO_FACE, TimelineCache, todo_frames
from painxai_gui.live.video_pass import FaceFrame, run_pass, stacked_crops

REGIONS = "regions"
#: bump when the region shapes (face/regions.py) or the share definition change: old caches are not reused
REGIONS_VERSION = 1


@dataclass(frozen=True)
class RegionRequest:
    """One video's region timeline for one method, its options and target spec."""

    video: VideoRecord
    model: Any                 # LoadedModel (spec + keras model)
    model_key: str             # the model file's hash
    method: str = "gradcam"
    options: Mapping[str, Any] = field(default_factory=dict)
    target: str = "predicted"  # "predicted", "true" (the video's category) or a class name

    kind = REGIONS

    @property
    def width(self) -> int:
        return len(REGION_ORDER)

    @property
    def key(self) -> str:
        """What the array depends on besides the video: model, method, every option (defaults included), target."""
        from painxai_gui.explain.api import get_method

        options = get_method(self.method).resolve_options(dict(self.options))
        return json.dumps({"regions": REGIONS_VERSION, "model": self.model_key, "method": self.method,
                           "options": options, "target": self.target}, sort_keys=True, default=repr)


def explain_regions(model: Any, faces: Sequence[FaceFrame], crops: np.ndarray, method: str,
                    options: Mapping[str, Any], target: str, category: str | None,
                    cancel: Callable[[], bool] | None = None) -> list[RegionStats | None]:
    """Region stats of each face (``crops`` stacked), as :func:`explain_face` computes them, in one batch."""
    from painxai_gui.explain.face import explain_faces

    found = explain_faces(model, list(crops), [f.face.landmarks for f in faces], method, options, target,
                          categories=category, cancel=cancel)
    return [f.regions for f in found]


def fill_regions(cache: TimelineCache, pool: MediaPool, interactive: Callable[[], bool], request: RegionRequest,
                 ctx: JobContext, workers: int | None = None, max_batch: int = 16) -> np.ndarray:
    """Compute every missing frame's region shares, reporting progress; returns the array."""
    video = request.video
    arr = cache.array(request.key, video, request.width, REGIONS)
    todo = todo_frames(arr)
    done = video.frame_count - len(todo)
    ctx.progress(done, video.frame_count)

    def consume(batch: list[FaceFrame]) -> None:
        found, crops = stacked_crops(batch)
        for item in batch:
            if not item.face.ok:
                arr[item.frame, :] = NO_FACE
        if crops is None:
            return
        stats = explain_regions(request.model, found, crops, request.method, request.options, request.target,
                                video.category, cancel=ctx.cancelled)
        for item, regions in zip(found, stats):
            arr[item.frame] = regions.share if regions is not None else NO_FACE

    run_pass(pool.track(video.path), todo, consume, ctx, interactive=interactive, workers=workers,
             max_batch=max_batch, counted=done, total=video.frame_count)
    cache.finish(request.key, video, REGIONS)
    return arr
