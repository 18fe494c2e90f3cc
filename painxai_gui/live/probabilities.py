"""Class probabilities for every frame of a video, filled in the background and cached.

One array ``(frames, classes)`` per (model, video) in the :class:`TimelineCache`
(NaN: not computed yet, -1: no face). The frames go through the pipelined
pass of :mod:`painxai_gui.live.video_pass` (decode and face crop ahead,
batched inference here), which stands back while the user scrubs
(``session.interactive()``), so it never competes with the frame on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from painxai_gui.dataset.records import VideoRecord
from painxai_gui.live.context import JobContext
from painxai_gui.live.media import MediaPool
from painxai_gui.live.timeline_cache import NO_FACE, PROBABILITIES, TimelineCache, for_display, todo_frames
from painxai_gui.live.video_pass import FaceFrame, run_pass, stacked_crops

__all__ = ["TimelineRequest", "fill_video", "for_display", "predict_batch"]


@dataclass(frozen=True)
class TimelineRequest:
    video: VideoRecord
    predictor: Any
    model_key: str

    kind = PROBABILITIES

    @property
    def key(self) -> str:
        return self.model_key

    @property
    def width(self) -> int:
        return int(self.predictor.spec.num_classes)


def predict_batch(predictor: Any, arr: np.ndarray, batch: list[FaceFrame]) -> None:
    """Probabilities of a batch's faces into their rows of ``arr`` (no face: -1)."""
    from painxai_gui.model import preprocess

    found, crops = stacked_crops(batch)
    for item in batch:
        if not item.face.ok:
            arr[item.frame, :] = NO_FACE  # marked so it is not retried; drawn as a gap
    if crops is not None:
        arr[[item.frame for item in found]] = predictor.predict_preprocessed(preprocess(crops, predictor.spec))


def fill_video(cache: TimelineCache, pool: MediaPool, interactive: Callable[[], bool],
               request: TimelineRequest, ctx: JobContext, workers: int | None = None) -> np.ndarray:
    """Compute every missing frame of the video, reporting progress; returns the array."""
    video = request.video
    arr = cache.array(request.key, video, request.width)
    todo = todo_frames(arr)
    done = video.frame_count - len(todo)
    ctx.progress(done, video.frame_count)
    run_pass(pool.track(video.path), todo, lambda batch: predict_batch(request.predictor, arr, batch), ctx,
             interactive=interactive, workers=workers, counted=done, total=video.frame_count)
    cache.finish(request.key, video)
    return arr
